import {
  type Condition,
  DEFAULT_LIMIT,
  isTagField,
  nodeDateToWallMs,
  type QueryOptions,
} from '../../src-shared/query/index.js'
import { SimApiError } from './errors.js'
import { isDateField, type SimState, type Table } from './state.js'

/**
 * Server-side semantics of the ZStack query API over the in-memory tables, modelled on what the
 * real node's SQL does on MySQL (utf8_general_ci, so string comparisons ignore case; NULL never
 * satisfies a comparison). Cross-table fields (`backupStorageRefs.x`, `allVolumes.x`) and tags
 * match when some joined row matches; their negative operators mean "no joined row matches the
 * positive form", as ZStack turns them into `uuid NOT IN (subquery)`. `groupBy` never arrives
 * here: the 3.0.0 server reads it and ignores it (`readSearchParams`).
 */
export interface NestedView<T> {
  fields: readonly string[]
  rows(row: T): readonly object[]
}

export interface QueryView<T extends { uuid: string }> {
  table: Table<T>
  fields: readonly string[]
  nested: Record<string, NestedView<T>>
  inventory(row: T): Record<string, unknown>
}

export interface QueryReply {
  inventories?: Record<string, unknown>[]
  total?: number
}

type Value = string | number | boolean | null

const NEGATIVE: Partial<Record<Condition['op'], Condition['op']>> = { '!=': '=', '!?=': '?=', '!~=': '~=' }

interface CacheEntry {
  version: number
  rows: readonly object[]
}

export class QueryEngine {
  /** Filtered+sorted rows per (view, conditions, sort): paging a big result re-uses them. */
  private readonly cache = new Map<string, CacheEntry>()

  constructor(private readonly state: SimState) {}

  run<T extends { uuid: string }>(name: string, view: QueryView<T>, options: QueryOptions): QueryReply {
    for (const c of options.conditions) {
      this.checkConditionField(view, c)
      checkQuotes(c)
    }
    if (options.sort) this.checkTopField(view, options.sort.field, 'sort')
    for (const f of options.fields ?? []) {
      if (!view.fields.includes(f) && !Object.hasOwn(view.nested, f))
        throw zqlError(`field[${f}] is not a queryable field`)
    }
    const rows = this.matching(name, view, options)
    if (options.count) return { total: rows.length }
    const start = options.start ?? 0
    const limit = options.limit ?? DEFAULT_LIMIT
    const page = rows.slice(start, start + limit).map((r) => project(view.inventory(r as T), options.fields))
    return options.replyWithCount ? { inventories: page, total: rows.length } : { inventories: page }
  }

  private matching<T extends { uuid: string }>(name: string, view: QueryView<T>, options: QueryOptions) {
    const key = JSON.stringify([name, options.conditions, options.sort])
    const hit = this.cache.get(key)
    if (hit && hit.version === this.state.version) return hit.rows as T[]
    let rows = this.candidates(view, options.conditions).filter((row) =>
      options.conditions.every((c) => this.test(view, row, c)),
    )
    if (options.sort) rows = sortRows(rows, options.sort.field, options.sort.direction)
    if (this.cache.size > 64) this.cache.clear()
    this.cache.set(key, { version: this.state.version, rows })
    return rows
  }

  /** Starts from an index when a condition pins the uuid or a commonly joined key. */
  private candidates<T extends { uuid: string }>(view: QueryView<T>, conditions: Condition[]): T[] {
    for (const c of conditions) {
      if (c.field === 'uuid' && c.op === '=') return pick(view.table, [c.value])
      if (c.field === 'uuid' && c.op === '?=') return pick(view.table, c.value)
    }
    for (const c of conditions) {
      if (c.op === '=' && INDEXED.has(c.field) && view.fields.includes(c.field)) {
        const exact = view.table.where(c.field as keyof T & string, c.value)
        // Indexes are exact-match; case-insensitive equality falls back to a scan when nothing matched.
        if (exact.length > 0) return exact
      }
    }
    return view.table.rows
  }

  private test<T extends { uuid: string }>(view: QueryView<T>, row: T, c: Condition): boolean {
    if (isTagField(c.field)) {
      const tags = this.state.tagsOf(row.uuid)
      const list = c.field === '__systemTag__' ? tags.system : tags.user
      return anyOf(
        list.map((t) => ({ tag: t })),
        'tag',
        c,
      )
    }
    const dot = c.field.indexOf('.')
    if (dot > 0) {
      const nested = view.nested[c.field.slice(0, dot)]!
      return anyOf(nested.rows(row), c.field.slice(dot + 1), c)
    }
    return matches((row as Record<string, unknown>)[c.field], c.field, c)
  }

  private checkConditionField<T extends { uuid: string }>(view: QueryView<T>, c: Condition): void {
    if (isTagField(c.field)) return
    const dot = c.field.indexOf('.')
    if (dot < 0) {
      this.checkTopField(view, c.field, 'q')
      return
    }
    const nested = Object.hasOwn(view.nested, c.field.slice(0, dot))
      ? view.nested[c.field.slice(0, dot)]
      : null
    if (!nested?.fields.includes(c.field.slice(dot + 1))) {
      throw zqlError(`field[${c.field}] is not a queryable field`)
    }
  }

  private checkTopField<T extends { uuid: string }>(view: QueryView<T>, field: string, what: string): void {
    if (!view.fields.includes(field)) throw zqlError(`${what}: field[${field}] is not a queryable field`)
  }
}

/**
 * Whatever the node's query engine (ZQL) cannot run fails as an internal error, `SYS.1000`
 * (spec README, query section: an unknown field is `SYS.1000` with 503). That a value of the
 * wrong type or an unreadable date fails the same way is a guess.
 */
function zqlError(details: string): SimApiError {
  return new SimApiError({ code: 'SYS.1000', details })
}

/** QueryFacadeImpl.toZQLConditionString writes each value between single quotes: a quote breaks the ZQL text. */
function checkQuotes(c: Condition): void {
  const values = c.value === null ? [] : Array.isArray(c.value) ? c.value : [c.value]
  if (values.some((v) => v.includes("'")))
    throw zqlError(`cannot parse the ZQL condition of field[${c.field}]`)
}

const INDEXED = new Set(['groupUuid', 'volumeUuid', 'vmInstanceUuid'])

function pick<T extends { uuid: string }>(table: Table<T>, uuids: readonly string[]): T[] {
  const out: T[] = []
  for (const u of new Set(uuids.map((x) => x.toLowerCase()))) {
    const row = table.get(u)
    if (row) out.push(row)
  }
  return out
}

/** Joined rows: positive operators need one match; negative ones need none to match the positive form. */
function anyOf(rows: readonly object[], field: string, c: Condition): boolean {
  const positive = NEGATIVE[c.op]
  if (positive) {
    const flipped = { ...c, op: positive } as Condition
    return !rows.some((r) => matches((r as Record<string, unknown>)[field], field, flipped))
  }
  return rows.some((r) => matches((r as Record<string, unknown>)[field], field, c))
}

function matches(actual: unknown, field: string, c: Condition): boolean {
  if (c.op === 'is null') return actual === null || actual === undefined
  if (c.op === 'not null') return actual !== null && actual !== undefined
  if (actual === null || actual === undefined) return false
  const a = normalize(actual)
  switch (c.op) {
    case '=':
      return compare(a, coerce(c.value, a, field)) === 0
    case '!=':
      return compare(a, coerce(c.value, a, field)) !== 0
    case '>':
      return compare(a, coerce(c.value, a, field)) > 0
    case '<':
      return compare(a, coerce(c.value, a, field)) < 0
    case '>=':
      return compare(a, coerce(c.value, a, field)) >= 0
    case '<=':
      return compare(a, coerce(c.value, a, field)) <= 0
    case '?=':
      return c.value.some((v) => compare(a, coerce(v, a, field)) === 0)
    case '!?=':
      return c.value.every((v) => compare(a, coerce(v, a, field)) !== 0)
    case '~=':
      return likeRegex(c.value).test(String(actual))
    case '!~=':
      return !likeRegex(c.value).test(String(actual))
  }
}

function normalize(v: unknown): Value {
  if (v === null || v === undefined) return null
  if (typeof v === 'string') return v.toLowerCase()
  if (typeof v === 'number' || typeof v === 'boolean') return v
  return JSON.stringify(v).toLowerCase()
}

/** Reads the condition's text as the column's type, as the server binds the JPQL parameter. */
function coerce(text: string, like: Value, field: string): Value {
  if (typeof like === 'number') {
    const n = isDateField(field) ? parseDate(text) : Number(text)
    if (n === null || Number.isNaN(n)) throw zqlError(`invalid value[${text}] for field[${field}]`)
    return n
  }
  if (typeof like === 'boolean') {
    if (text !== 'true' && text !== 'false') throw zqlError(`invalid value[${text}] for field[${field}]`)
    return text === 'true'
  }
  return text.toLowerCase()
}

/**
 * Dates in conditions are handed to MySQL as text (spec README, query section): the forms MySQL
 * reads as a DATETIME, `yyyy-MM-dd[ HH:mm[:ss]]` (a `T` also works), in the node's local time.
 * Anything else (epoch milliseconds, a Gson date) is refused here: what MySQL would make of it is
 * a guess, and no client should send it.
 */
function parseDate(text: string): number | null {
  const wall = nodeDateToWallMs(text)
  if (wall === null) return null
  const d = new Date(wall)
  // The simulator keeps instants; the node's local time is this process's.
  return new Date(
    d.getUTCFullYear(),
    d.getUTCMonth(),
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  ).getTime()
}

function compare(a: Value, b: Value): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a < b ? -1 : 1
}

const likeCache = new Map<string, RegExp>()

/** SQL LIKE: `%` any run, `_` one character, `\` escapes; case-insensitive like utf8_general_ci. */
export function likeRegex(pattern: string): RegExp {
  let re = likeCache.get(pattern)
  if (re) return re
  let body = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!
    if (ch === '\\' && i + 1 < pattern.length) body += escapeRe(pattern[++i]!)
    else if (ch === '%') body += '.*'
    else if (ch === '_') body += '.'
    else body += escapeRe(ch)
  }
  re = new RegExp(`^${body}$`, 'is')
  if (likeCache.size > 256) likeCache.clear()
  likeCache.set(pattern, re)
  return re
}

function escapeRe(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

function sortRows<T>(rows: T[], field: string, direction: 'asc' | 'desc'): T[] {
  const sign = direction === 'asc' ? 1 : -1
  const keyed = rows.map((row, i) => ({ row, i, key: sortKey((row as Record<string, unknown>)[field]) }))
  // MySQL puts NULLs first ascending; ties keep table order so paging is stable.
  keyed.sort((x, y) => sign * compare(x.key, y.key) || x.i - y.i)
  return keyed.map((k) => k.row)
}

function sortKey(v: unknown): Value {
  return v === undefined ? null : normalize(v)
}

function project(inv: Record<string, unknown>, fields: readonly string[] | undefined) {
  if (!fields || fields.length === 0) return inv
  const out: Record<string, unknown> = {}
  for (const f of fields) if (f in inv) out[f] = inv[f]
  return out
}
