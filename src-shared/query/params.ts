import { invalidQuery } from './errors.js'
import { checkField, formatCondition, parseCondition, readCondition } from './parse.js'
import type { QueryOptions, QuerySort } from './types.js'

/**
 * QueryOptions ⇄ URL query parameters, as the ZStack 3.0.0 REST server reads them
 * (`RestServer.handleQueryApi`): `q` repeated (ANDed), `limit`, `start`, `count`, `replyWithCount`,
 * `sort=[+|-]f`, `fields=a,b` (only the first `fields` parameter counts). `groupBy` is never sent:
 * the server reads it and ignores it, so the app groups locally (`groupRows`).
 */
export function toSearchParams(options: QueryOptions): URLSearchParams {
  const params = new URLSearchParams()
  for (const c of options.conditions) params.append('q', formatCondition(c))
  if (options.limit !== undefined) params.set('limit', String(options.limit))
  if (options.start !== undefined) params.set('start', String(options.start))
  if (options.count) params.set('count', 'true')
  if (options.replyWithCount) params.set('replyWithCount', 'true')
  if (options.sort) params.set('sort', formatSort(options.sort))
  if (options.fields && options.fields.length > 0) params.set('fields', options.fields.join(','))
  return params
}

/**
 * Reads query parameters the app is about to answer (the offline cache): conditions are checked as
 * strictly as before sending (`parseCondition`); `groupBy` is kept for local grouping. Unknown
 * parameters (such as the manual's `condition=`) are ignored, as the real server ignores them.
 */
export function fromSearchParams(params: URLSearchParams): QueryOptions {
  return readParams(params, true)
}

/**
 * Reads query parameters exactly as the 3.0.0 server does (the simulator): conditions as
 * `readCondition` reads them, sort and field names unchecked (the server's query engine fails on
 * an unknown one later); throws `zstack.query.invalid` where the server answers 400. `groupBy` is
 * read and dropped (`QueryFacadeImpl.queryUseZQL` never uses it).
 */
export function readSearchParams(params: URLSearchParams): QueryOptions {
  return readParams(params, false)
}

function readParams(params: URLSearchParams, strict: boolean): QueryOptions {
  const q = params.getAll('q')
  const options: QueryOptions = {
    conditions: strict ? q.map(parseCondition) : q.map((c) => readCondition(c).condition),
  }
  const limit = params.get('limit')
  if (limit !== null) options.limit = parseCount('limit', limit.trim())
  const start = params.get('start')
  if (start !== null) options.start = parseCount('start', start.trim())
  if (params.get('count')?.trim().toLowerCase() === 'true') options.count = true
  if (params.get('replyWithCount')?.trim().toLowerCase() === 'true') options.replyWithCount = true
  const sort = params.get('sort')
  if (sort !== null) options.sort = strict ? parseSort(sort) : readSort(sort)
  const fields = params.get('fields')
  if (fields !== null)
    options.fields = strict ? parseFieldList(fields) : fields.split(',').map((f) => f.trim())
  const groupBy = params.get('groupBy')
  if (strict && groupBy !== null) {
    checkField(groupBy, groupBy, 'groupBy')
    options.groupBy = groupBy
  }
  return options
}

export function formatSort(sort: QuerySort): string {
  return `${sort.direction === 'asc' ? '+' : '-'}${sort.field}`
}

/**
 * `+field` or a bare `field` ascending, `-field` descending; the text is trimmed first, so a `+`
 * that arrived unencoded (a space) is ascending too (`RestServer.handleQueryApi`).
 */
export function parseSort(text: string): QuerySort {
  const sort = readSort(text)
  checkField(text, sort.field, 'sort')
  return sort
}

function readSort(text: string): QuerySort {
  const trimmed = text.trim()
  const sign = trimmed[0]
  const field = sign === '+' || sign === '-' ? trimmed.slice(1) : trimmed
  return { field, direction: sign === '-' ? 'desc' : 'asc' }
}

function parseFieldList(text: string): string[] {
  const fields = text.split(',')
  for (const f of fields) checkField(text, f, 'fields')
  return fields
}

function parseCount(param: string, text: string): number {
  if (!/^\d+$/.test(text)) {
    throw invalidQuery(
      text,
      Math.max(text.search(/\D/), 0),
      { en: `${param} must be a non-negative integer`, zh: `${param} 必须是非负整数` },
      param,
    )
  }
  const n = Number(text)
  if (!Number.isSafeInteger(n)) {
    throw invalidQuery(text, 0, { en: `${param} is too large`, zh: `${param} 过大` }, param)
  }
  return n
}
