import type { HandlerMap } from '../api/router.js'
import type { OverviewService } from './service.js'

/** The `overview.*` calls; the service loaded on the first one. */
export function overviewHandlers(overview: () => Promise<OverviewService>): HandlerMap {
  return {
    'overview.get': async ({ connectionId }) => (await overview()).overview(connectionId),
    'overview.lines': async ({ connectionIds }) => (await overview()).lines(connectionIds),
    'overview.export': async ({ connectionIds, format, lang }) =>
      (await overview()).exportReport(connectionIds, format, lang),
    'overview.rpo.set': async ({ connectionId, rpoHours }) =>
      (await overview()).setRpoHours(connectionId, rpoHours),
  }
}
