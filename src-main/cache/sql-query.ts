import { type Condition, DEFAULT_LIMIT, isTagField, type QueryOptions } from '../../src-shared/query/index.js'
import { nodeDateToWallMs, WALL_MS_AS_MYSQL_TEXT } from './dates.js'
import { invalidValue, tagsNotCached, unknownField } from './errors.js'
import type { FieldType, ResourceSpec } from './resources.js'

/**
 * The ZStack query language → parameterized SQL over one snapshot of the cache, with the server's
 * semantics (those of its SQL on MySQL, as the simulator models them):
 * - text compares ignore case (the columns are NOCASE; LIKE ignores ASCII case);
 * - NULL satisfies no comparison, including `!=`, `!?=` and `!~=`;
 * - a nested field (`backupStorageRefs.backupStorageUuid`) matches when some joined row matches;
 *   its negative operators mean "no joined row matches the positive form" (`uuid NOT IN (subquery)`);
 * - without `sort`, rows come in the server's table order (the cache keeps it as the row id); with
 *   `sort`, ties keep table order; NULLs sort first ascending;
 * - `groupBy` (the app's own grouping, never the node's: 3.0.0 ignores it) keeps the first row of
 *   each group in that order, as `groupRows` does; `count`/`total` count after it.
 * Values are always bound parameters; identifiers come only from the resource spec; LIMIT and
 * OFFSET are validated integers.
 */
export interface CompiledQuery {
  /** Bound values of pageSql (docsSql takes the page's ids). */
  params: unknown[]
  countParams: unknown[]
  /** The ids of one page, in reply order (the docs are read for these ids only). */
  pageSql: string
  /** The stored inventories of a JSON array of ids, in that order. */
  docsSql: string
  countSql: string
}

export function compileQuery(spec: ResourceSpec, options: QueryOptions, snapshotId: number): CompiledQuery {
  validate(spec, options)
  const params: unknown[] = [snapshotId]
  const where = ['t.snapshot_id = ?']
  for (const c of options.conditions) where.push(condition(spec, c, params, snapshotId))
  const order = orderBy(options)
  const filters = where.join(' AND ')
  const from = `FROM ${spec.table} t WHERE ${filters}`
  // Paging numbers are written into the SQL, not bound: the planner then knows the LIMIT and can
  // stop a scan in table order early. They are validated integers (the parser's), never text.
  const page = `LIMIT ${integer(options.limit ?? DEFAULT_LIMIT)} OFFSET ${integer(options.start ?? 0)}`
  let pageSql: string
  let countSql: string
  if (options.groupBy) {
    const groups = options.sort
      ? firstPerGroup(from, options.groupBy, order)
      : firstPerGroupInTableOrder(from, options.groupBy)
    pageSql = `SELECT g.id FROM (${groups}) g ORDER BY g.rank ${page}`
    // As many rows as groups, whatever the order.
    countSql = `SELECT count(*) AS n FROM (SELECT 1 ${from} GROUP BY t.${quote(options.groupBy)})`
  } else {
    pageSql = `SELECT t.id ${from} ORDER BY ${order} ${page}`
    countSql = `SELECT count(*) AS n ${from}`
  }
  // Docs are joined after paging: a join before it may read every doc of the matching rows.
  const docsSql = `SELECT d.doc FROM json_each(?) j JOIN ${spec.table}_doc d ON d.id = j.value ORDER BY j.key`
  const refsOnly = !options.groupBy && refCount(spec, options.conditions, snapshotId)
  return refsOnly
    ? { params, pageSql, docsSql, countSql: refsOnly.sql, countParams: refsOnly.params }
    : { params, pageSql, docsSql, countSql, countParams: params }
}

/**
 * "How many backups are on image store X": with one positive condition on owned refs and nothing
 * else, the count is the number of distinct parents among the matching refs (a covering-index
 * read) instead of a lookup of every matching parent row.
 */
function refCount(spec: ResourceSpec, conditions: Condition[], snapshotId: number) {
  const only = conditions.length === 1 ? conditions[0]! : null
  const dot = only ? only.field.indexOf('.') : -1
  if (!only || dot < 0 || only.op in NEGATIVE_TO_POSITIVE) return null
  const nested = spec.nested[only.field.slice(0, dot)]!
  if (!nested.linkedById) return null
  const sub = only.field.slice(dot + 1)
  const params: unknown[] = [snapshotId]
  const test = predicate(`r.${quote(sub)}`, nested.fields[sub]!, only, params)
  return {
    sql: `SELECT count(DISTINCT r.parent_id) AS n FROM ${nested.table} r WHERE r.snapshot_id = ? AND ${test}`,
    params,
  }
}

function integer(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a row count: ${n}`)
  return n
}

/** Field names for error messages, worked out once per resource. */
const NAMES = new Map<ResourceSpec, { top: string[]; nestedNames: string[]; queryable: string[] }>()

function names(spec: ResourceSpec) {
  let n = NAMES.get(spec)
  if (!n) {
    const top = Object.keys(spec.fields)
    const nestedNames = Object.keys(spec.nested)
    const nested = nestedNames.flatMap((x) => Object.keys(spec.nested[x]!.fields).map((f) => `${x}.${f}`))
    n = { top, nestedNames, queryable: [...top, ...nested] }
    NAMES.set(spec, n)
  }
  return n
}

/** Every field named anywhere in the query must be one the cache keeps. */
function validate(spec: ResourceSpec, options: QueryOptions): void {
  const { top, nestedNames, queryable } = names(spec)
  for (const c of options.conditions) {
    if (isTagField(c.field)) throw tagsNotCached(c.field)
    if (fieldType(spec, c.field) === undefined) throw unknownField(spec.name, c.field, 'q', queryable)
  }
  // Own keys only: `constructor` or `toString` is an unknown field like any other.
  if (options.sort && !Object.hasOwn(spec.fields, options.sort.field)) {
    throw unknownField(spec.name, options.sort.field, 'sort', top)
  }
  if (options.groupBy && !Object.hasOwn(spec.fields, options.groupBy)) {
    throw unknownField(spec.name, options.groupBy, 'groupBy', top)
  }
  for (const f of options.fields ?? []) {
    if (!Object.hasOwn(spec.fields, f) && !Object.hasOwn(spec.nested, f))
      throw unknownField(spec.name, f, 'fields', [...top, ...nestedNames])
  }
}

function fieldType(spec: ResourceSpec, field: string): FieldType | undefined {
  const dot = field.indexOf('.')
  if (dot < 0) return Object.hasOwn(spec.fields, field) ? spec.fields[field] : undefined
  const nested = Object.hasOwn(spec.nested, field.slice(0, dot))
    ? spec.nested[field.slice(0, dot)]
    : undefined
  const sub = field.slice(dot + 1)
  return nested && Object.hasOwn(nested.fields, sub) ? nested.fields[sub] : undefined
}

const NEGATIVE_TO_POSITIVE = { '!=': '=', '!?=': '?=', '!~=': '~=' } as const

function condition(spec: ResourceSpec, c: Condition, params: unknown[], snapshotId: number): string {
  const dot = c.field.indexOf('.')
  if (dot < 0) return predicate(`t.${quote(c.field)}`, spec.fields[c.field]!, c, params)
  const nested = spec.nested[c.field.slice(0, dot)]!
  const sub = c.field.slice(dot + 1)
  const negative = c.op in NEGATIVE_TO_POSITIVE
  const positive = negative
    ? ({ ...c, op: NEGATIVE_TO_POSITIVE[c.op as keyof typeof NEGATIVE_TO_POSITIVE] } as Condition)
    : c
  params.push(snapshotId)
  const test = predicate(`r.${quote(sub)}`, nested.fields[sub]!, positive, params)
  const [outer, inner] = nested.linkedById
    ? ['t.id', 'r.parent_id']
    : ['t.uuid', `r.${quote(nested.parentColumn)}`]
  return `${outer} ${negative ? 'NOT IN' : 'IN'} (SELECT ${inner} FROM ${nested.table} r WHERE r.snapshot_id = ? AND ${inner} IS NOT NULL AND ${test})`
}

/** One comparison on one column; pushes its bound values onto `params`. */
function predicate(column: string, type: FieldType, c: Condition, params: unknown[]): string {
  switch (c.op) {
    case 'is null':
      return `${column} IS NULL`
    case 'not null':
      return `${column} IS NOT NULL`
    case '?=':
    case '!?=': {
      for (const v of c.value) params.push(bind(type, c.field, v))
      const list = c.value.map(() => '?').join(', ')
      return `${column} ${c.op === '?=' ? 'IN' : 'NOT IN'} (${list})`
    }
    case '~=':
    case '!~=': {
      params.push(likePattern(c.value))
      const target = type === 'date' ? WALL_MS_AS_MYSQL_TEXT(column) : column
      // ESCAPE only when needed: without it SQLite can still use an index for a prefix pattern.
      const escapeClause = c.value.includes('\\') ? " ESCAPE '\\'" : ''
      return `${target} ${c.op === '~=' ? 'LIKE' : 'NOT LIKE'} ?${escapeClause}`
    }
    default:
      params.push(bind(type, c.field, c.value))
      return `${column} ${c.op} ?`
  }
}

/** Reads a condition's text as the field's type, as the server binds its query parameter. */
export function bind(type: FieldType, field: string, text: string): string | number {
  switch (type) {
    case 'text':
      return text
    case 'int': {
      const n = Number(text)
      if (Number.isNaN(n)) throw invalidValue(field, text, 'a number')
      return n
    }
    case 'bool':
      if (text !== 'true' && text !== 'false') throw invalidValue(field, text, 'true or false')
      return text === 'true' ? 1 : 0
    case 'date': {
      // The node hands the text to MySQL; the app sends only forms MySQL reads without doubt.
      const ms = nodeDateToWallMs(text)
      if (ms === null) throw invalidValue(field, text, "a date yyyy-MM-dd HH:mm:ss (the node's local time)")
      return ms
    }
  }
}

/**
 * The server's LIKE: `%` any run, `_` one character, `\` makes the next character literal. A
 * trailing lone `\` is a literal backslash there; SQLite would match nothing, so it is doubled.
 */
function likePattern(pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!
    if (ch === '\\') {
      out += i + 1 < pattern.length ? `\\${pattern[++i]}` : '\\\\'
    } else out += ch
  }
  return out
}

function orderBy(options: QueryOptions): string {
  if (!options.sort) return 't.id'
  return `t.${quote(options.sort.field)} ${options.sort.direction === 'asc' ? 'ASC' : 'DESC'}, t.id`
}

/** The first row of each group in reply order, as `id` plus its `rank` in that order. */
function firstPerGroup(from: string, groupBy: string, order: string): string {
  return `SELECT id, rank FROM (
    SELECT t.id AS id, row_number() OVER (ORDER BY ${order}) AS rank,
      row_number() OVER (PARTITION BY t.${quote(groupBy)} ORDER BY ${order}) AS nth ${from}
  ) WHERE nth = 1 ORDER BY rank`
}

/** Without a sort, a group's first row is its lowest row id (the server's order). */
function firstPerGroupInTableOrder(from: string, groupBy: string): string {
  return `SELECT id, id AS rank FROM (SELECT min(t.id) AS id ${from} GROUP BY t.${quote(groupBy)}) ORDER BY id`
}

/** Field names come from the spec (letters, digits, _), quoted anyway so none can be read as SQL. */
function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`
}
