import type { HandlerMap } from '../../api/router.js'
import type { SchedulesService } from './service.js'

/** The `schedules.*` calls of the API contract; the service (and cronstrue) loaded on the first one. */
export function scheduleHandlers(schedules: () => Promise<SchedulesService>): HandlerMap {
  return {
    'schedules.list': async ({ connectionId, timeZone }) => (await schedules()).list(connectionId, timeZone),
    'schedules.preview': async ({ when, timeZone }) => (await schedules()).preview(when, timeZone),
    'schedules.create': async (req) => (await schedules()).create(req),
    'schedules.setState': async ({ connectionId, jobUuid, enabled }) =>
      (await schedules()).setState(connectionId, jobUuid, enabled),
    'schedules.delete': async ({ connectionId, jobUuid }) =>
      (await schedules()).delete(connectionId, jobUuid),
    'schedules.recreate': async ({ confirmRecreate: _yes, ...req }) => (await schedules()).recreate(req),
  }
}
