import { invalidQuery } from './errors.js'
import { checkField, formatCondition, parseCondition } from './parse.js'
import type { QueryOptions, QuerySort } from './types.js'

/**
 * QueryOptions ⇄ URL query parameters, exactly as the ZStack REST server reads them:
 * `q` repeated (ANDed), `limit`, `start`, `count`, `replyWithCount`, `sort=+f|-f`,
 * `fields=a,b` (only the first `fields` parameter counts), `groupBy`.
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
  if (options.groupBy) params.set('groupBy', options.groupBy)
  return params
}

/**
 * Reads query parameters the way the server does; throws `zstack.query.invalid` where the
 * server would answer 400. Unknown parameters (such as the manual's `condition=`) are ignored,
 * as the real server ignores them.
 */
export function fromSearchParams(params: URLSearchParams): QueryOptions {
  const options: QueryOptions = { conditions: params.getAll('q').map(parseCondition) }
  const limit = params.get('limit')
  if (limit !== null) options.limit = parseCount('limit', limit)
  const start = params.get('start')
  if (start !== null) options.start = parseCount('start', start)
  if (params.get('count') === 'true') options.count = true
  if (params.get('replyWithCount') === 'true') options.replyWithCount = true
  const sort = params.get('sort')
  if (sort !== null) options.sort = parseSort(sort)
  const fields = params.get('fields')
  if (fields !== null) options.fields = parseFieldList(fields)
  const groupBy = params.get('groupBy')
  if (groupBy !== null) {
    checkField(groupBy, groupBy, 'groupBy')
    options.groupBy = groupBy
  }
  return options
}

export function formatSort(sort: QuerySort): string {
  return `${sort.direction === 'asc' ? '+' : '-'}${sort.field}`
}

/** `+field` ascending, `-field` descending. A `+` that arrived unencoded reads as a space. */
export function parseSort(text: string): QuerySort {
  const sign = text[0]
  if (sign !== '+' && sign !== '-' && sign !== ' ') {
    throw invalidQuery(
      text,
      0,
      {
        en: 'sort must start with + (ascending) or - (descending)',
        zh: 'sort 必须以 +（升序）或 -（降序）开头',
      },
      'sort',
    )
  }
  const field = text.slice(1)
  checkField(text, field, 'sort')
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
