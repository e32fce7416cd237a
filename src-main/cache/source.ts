import type { QueryOptions } from '../../src-shared/query/index.js'
import type { Inventory } from './store.js'

/** The server's reply to a query GET: `inventories`, plus `total` with count/replyWithCount. */
export interface SourceReply {
  inventories?: Inventory[]
  total?: number
}

/**
 * Where a sync reads from: one ZStack query GET (`/v1/<path>?q=...&limit=&start=&replyWithCount=`).
 * Paging, "changed since" (`lastOpDate>=...`), counts and uuid lists are all expressed as queries,
 * so the REST client satisfies it directly and tests can drive the engine with the simulator.
 */
export interface InventorySource {
  query(path: string, options: QueryOptions, signal: AbortSignal): Promise<SourceReply>
  /** Ends the source's session, if it holds one. */
  close?(): Promise<void>
}
