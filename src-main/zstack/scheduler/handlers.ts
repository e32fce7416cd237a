import type { HandlerMap } from '../../api/router.js'
import type { SchedulesService } from './service.js'

/** The `schedules.*` calls of the API contract. */
export function scheduleHandlers(schedules: SchedulesService): HandlerMap {
  return {
    'schedules.list': ({ connectionId, timeZone }) => schedules.list(connectionId, timeZone),
    'schedules.preview': ({ when, timeZone }) => schedules.preview(when, timeZone),
    'schedules.create': (req) => schedules.create(req),
    'schedules.setState': ({ connectionId, jobUuid, enabled }) =>
      schedules.setState(connectionId, jobUuid, enabled),
    'schedules.delete': ({ connectionId, jobUuid }) => schedules.delete(connectionId, jobUuid),
    'schedules.recreate': ({ confirmRecreate: _yes, ...req }) => schedules.recreate(req),
  }
}
