/**
 * The ZStack query language (manual §3.9, as the 3.0.0 server really reads it) as data. One AST
 * shared by the REST client, the simulator (server-side semantics), the offline cache (SQL
 * translation) and the renderer's query bar, so none can disagree on what a `q=` string means.
 * This folder runs in both processes: no Node APIs.
 */

/** Operators whose value is one string. `~=`/`!~=` are SQL LIKE / NOT LIKE (`%` and `_`). */
export type ScalarOp = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~=' | '!~='
/** `?=` is IN, `!?=` is NOT IN; the value is a comma-separated list on the wire. */
export type ListOp = '?=' | '!?='
/**
 * `field is null` / `field not null` on the wire (with the spaces): IS NULL / IS NOT NULL. The
 * manual's `field=null` compares with the string 'null' on a real node and never finds a NULL.
 */
export type NullOp = 'is null' | 'not null'
export type QueryOp = ScalarOp | ListOp | NullOp

export type Condition =
  | { field: string; op: ScalarOp; value: string }
  | { field: string; op: ListOp; value: string[] }
  | { field: string; op: NullOp; value: null }

export const SCALAR_OPS: readonly ScalarOp[] = ['=', '!=', '>', '<', '>=', '<=', '~=', '!~=']
export const LIST_OPS: readonly ListOp[] = ['?=', '!?=']
export const NULL_OPS: readonly NullOp[] = ['is null', 'not null']

/**
 * Every operator as the server looks for it: the first of these (in this order) that a condition
 * contains is its operator (zstackio/zstack 3.0.0 `rest/.../RestServer.java`, `QUERY_OP_MAPPING`).
 */
export const SERVER_OP_ORDER: readonly QueryOp[] = [
  '!=',
  '>=',
  '<=',
  '!?=',
  '!~=',
  '~=',
  '?=',
  '=',
  '>',
  '<',
  'is null',
  'not null',
]

/** The operators as they may appear between field and value on the wire (null tests follow the field). */
export const WIRE_OPS: readonly string[] = [...SCALAR_OPS, ...LIST_OPS, ...NULL_OPS]

/** Tag pseudo-fields: they match system/user tags of the resource rather than a column. */
export const TAG_FIELDS = ['__systemTag__', '__userTag__'] as const
export type TagField = (typeof TAG_FIELDS)[number]

export function isTagField(field: string): field is TagField {
  return (TAG_FIELDS as readonly string[]).includes(field)
}

export function isListOp(op: QueryOp): op is ListOp {
  return op === '?=' || op === '!?='
}

export function isNullOp(op: QueryOp): op is NullOp {
  return op === 'is null' || op === 'not null'
}

export type SortDirection = 'asc' | 'desc'

export interface QuerySort {
  field: string
  direction: SortDirection
}

/** Everything a ZStack query GET can carry besides the resource path. */
export interface QueryOptions {
  conditions: Condition[]
  /** Server default is 1000. */
  limit?: number
  start?: number
  /** `count=true`: the reply is only `{ total }`. */
  count?: boolean
  /** `replyWithCount=true`: the reply carries `total` beside `inventories`. */
  replyWithCount?: boolean
  sort?: QuerySort
  /** Only these fields come back (the server honours the first `fields` parameter only). */
  fields?: string[]
  /**
   * Keep the first row of each value of this field. Never sent to a node (3.0.0 reads `groupBy`
   * and ignores it): the app groups locally (`groupRows`).
   */
  groupBy?: string
}

/** The server's default page size when `limit` is absent. */
export const DEFAULT_LIMIT = 1000

/**
 * Fields holding a date: ZStack names them `...Date` (`createDate`, `lastOpDate`, a ref's
 * `createDate`). Their condition values are handed to MySQL as text.
 */
export function isDateField(field: string): boolean {
  return /Date$/.test(field.slice(field.lastIndexOf('.') + 1))
}
