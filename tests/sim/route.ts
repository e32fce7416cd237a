import type { LogStreams } from './log-streams.js'
import type { QueryEngine } from './query-engine.js'
import type { SimState } from './state.js'

/** What an API implementation sees of its request and of the node. */
export interface ApiContext {
  path: Record<string, string>
  query: URLSearchParams
  /** `params` of a POST, the action object of a PUT; `{}` for GET/DELETE. */
  args: Record<string, unknown>
  systemTags: string[]
  userTags: string[]
  state: SimState
  queries: QueryEngine
  logStreams: LogStreams
  /** The time to stamp on records (createDate, lastOpDate): whole seconds. */
  now(): number
  /** The time the job takes (async APIs): state changes after it are what the poll sees. */
  work(): Promise<void>
}

/** What writing records needs: the state, the time to stamp, the tags to add (also the scheduler's runs). */
export type RecordContext = Pick<ApiContext, 'state' | 'now' | 'systemTags' | 'userTags'>

export interface Route {
  /** The API's name in the manual (e.g. `CreateVolumeBackup`). */
  api: string
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Under the context root, with `{name}` placeholders: `/v1/volumes/{volumeUuid}/volume-backups`. */
  pattern: string
  /** POST: `params`; PUT: the action key that selects among APIs on the same path. */
  bodyKey?: string
  /** Returns the reply body; `undefined` means an empty 200 body. */
  run(ctx: ApiContext): unknown | Promise<unknown>
}

export interface CompiledRoute extends Route {
  regex: RegExp
  names: string[]
}

export function compile(route: Route): CompiledRoute {
  const names: string[] = []
  const source = route.pattern.replace(/\{(\w+)\}/g, (_, n: string) => {
    names.push(n)
    return '([^/]+)'
  })
  return { ...route, regex: new RegExp(`^${source}/?$`), names }
}

export function matchPath(route: CompiledRoute, path: string): Record<string, string> | null {
  const m = route.regex.exec(path)
  if (!m) return null
  const out: Record<string, string> = {}
  route.names.forEach((n, i) => {
    out[n] = decodeURIComponent(m[i + 1]!)
  })
  return out
}
