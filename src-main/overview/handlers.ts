import type { HandlerMap } from '../api/router.js'
import type { OverviewService } from './service.js'

/** The `overview.*` calls. */
export function overviewHandlers(overview: OverviewService): HandlerMap {
  return {
    'overview.get': ({ connectionId }) => overview.overview(connectionId),
    'overview.lines': ({ connectionIds }) => overview.lines(connectionIds),
    'overview.export': ({ connectionIds, format, lang }) =>
      overview.exportReport(connectionIds, format, lang),
    'overview.rpo.set': ({ connectionId, rpoHours }) => overview.setRpoHours(connectionId, rpoHours),
  }
}
