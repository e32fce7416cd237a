import { zstackPasswordKey } from '../vault/keys.js'
import type { Vault } from '../vault/vault.js'
import { notConnected } from '../zstack/errors.js'
import type { ZStackService } from '../zstack/service.js'
import type { CacheBackend } from './service.js'
import { ZStackInventorySource } from './zstack-source.js'

/** The worker loads the source module that sits beside this one (TypeScript in development). */
const SOURCE_MODULE = new URL(
  import.meta.url.endsWith('.ts') ? './zstack-source.ts' : './zstack-source.js',
  import.meta.url,
).href

/**
 * The cache's view of the ZStack side: an open connection's live client for queries, and for a
 * sync the connection's address, account and password (from the vault, in memory only) so the
 * worker can log in on its own.
 */
export function zstackCacheBackend(zstack: ZStackService, vault: Vault): CacheBackend {
  return {
    async sourceFor(connectionId) {
      zstack.clientFor(connectionId) // throws zstack.not_connected when there is no open connection
      const record = zstack.connections.get(connectionId)
      const password = await vault.get(zstackPasswordKey(connectionId))
      if (!record || password === null) throw notConnected(connectionId)
      return {
        module: SOURCE_MODULE,
        args: {
          endpoint: record.endpoint,
          accountName: record.accountName,
          password,
          insecureTls: record.insecureTls,
        },
      }
    },
    queryNode(connectionId, path, options, signal) {
      return new ZStackInventorySource(zstack.clientFor(connectionId)).queryText(path, options, signal)
    },
  }
}
