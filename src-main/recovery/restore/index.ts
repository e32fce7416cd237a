/**
 * Restoring the management database from the laptop: plan, confirm, safety dump, stop node, restore,
 * verify, roll back, evidence. See `engine.ts` for the order of steps and `service.ts` for the API side.
 */
export { type RestoreRunOptions, type RestoreRunResult, runRestore } from './engine.js'
export { jobFromRequest, restoreHandlers } from './handlers.js'
export { DEFAULT_PROPERTIES_PATH, DEFAULT_SAFETY_DIR, type RestoreSettings } from './preflight.js'
export { type RestoreJob, RestoreService, type RestoreServiceDeps } from './service.js'
