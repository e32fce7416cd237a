export { overviewHandlers } from './handlers.js'
export { OverviewService } from './service.js'
