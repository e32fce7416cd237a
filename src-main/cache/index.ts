export { cacheHandlers } from './handlers.js'
export { LocalQueryEngine, type QueryReply } from './local-query.js'
export { RESOURCE_NAMES, RESOURCES, type ResourceName } from './resources.js'
export {
  type CacheBackend,
  CacheService,
  type CacheServiceOptions,
  isNodeDown,
  toOptions,
} from './service.js'
export type { InventorySource, SourceReply } from './source.js'
export { CacheStore } from './store.js'
export { SyncEngine, type SyncMode, type SyncResult } from './sync.js'
export type { SourceSpec } from './sync-protocol.js'
