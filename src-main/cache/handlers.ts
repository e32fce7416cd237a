import type { HandlerMap } from '../api/router.js'
import type { CacheService } from './service.js'

/** The `cache.*` calls. */
export function cacheHandlers(cache: CacheService): HandlerMap {
  return {
    'cache.sync': ({ connectionId, mode }) => ({ opId: cache.startSync(connectionId, mode).opId }),
    'cache.status': ({ connectionId }) => cache.status(connectionId),
    'cache.query': (req) => cache.query(req),
  }
}
