import { type QueryOptions, toSearchParams } from '../../src-shared/query/index.js'
import { ZStackClient } from '../zstack/client.js'
import { parseEndpoint } from '../zstack/endpoint.js'
import { QUERY_RESOURCES } from '../zstack/query-client.js'
import type { InventorySource, SourceReply } from './source.js'

/**
 * The sync worker's source: a ZStack REST client of its own (the worker cannot share the main
 * thread's), logged in with the connection's account. The password arrives in memory through
 * `workerData` and is never written anywhere; the session is closed when the sync ends.
 */
export interface ZStackSourceArgs {
  endpoint: string
  accountName: string
  password: string
  insecureTls?: boolean
  requestTimeoutMs?: number
}

const API_BY_PATH = new Map<string, string>(Object.values(QUERY_RESOURCES).map((r) => [r.path, r.api]))

export class ZStackInventorySource implements InventorySource {
  constructor(private readonly client: ZStackClient) {}

  /** Only `inventories` and `total` are kept: a node's query reply also carries `schema` (ignored). */
  async query(path: string, options: QueryOptions, signal: AbortSignal): Promise<SourceReply> {
    const reply = await this.client.get<SourceReply>(queryPath(path, options), apiOf(path), { signal })
    return {
      ...(reply.inventories !== undefined ? { inventories: reply.inventories } : {}),
      ...(reply.total !== undefined ? { total: reply.total } : {}),
    }
  }

  /** The same query's reply body, unparsed (see `ZStackClient.getText`). */
  queryText(path: string, options: QueryOptions, signal: AbortSignal): Promise<string> {
    return this.client.getText(queryPath(path, options), apiOf(path), { signal })
  }

  close(): Promise<void> {
    return this.client.logout()
  }
}

function queryPath(path: string, options: QueryOptions): string {
  const qs = toSearchParams(options).toString()
  return qs ? `${path}?${qs}` : path
}

function apiOf(path: string): string {
  return API_BY_PATH.get(path) ?? 'Query'
}

export function createInventorySource(args: ZStackSourceArgs): ZStackInventorySource {
  return new ZStackInventorySource(
    new ZStackClient({
      endpoint: parseEndpoint(args.endpoint),
      accountName: args.accountName,
      password: () => args.password,
      ...(args.insecureTls ? { insecureTls: true } : {}),
      ...(args.requestTimeoutMs ? { requestTimeoutMs: args.requestTimeoutMs } : {}),
    }),
  )
}
