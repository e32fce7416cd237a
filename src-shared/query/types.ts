/**
 * The ZStack query language (manual §3.9) as data. One AST shared by the REST client, the
 * simulator (server-side semantics) and the offline cache (SQL translation), so the three can
 * never disagree on what a `q=` string means.
 */

/** Operators whose value is one string. `~=`/`!~=` are SQL LIKE / NOT LIKE (`%` and `_`). */
export type ScalarOp = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~=' | '!~='
/** `?=` is IN, `!?=` is NOT IN; the value is a comma-separated list on the wire. */
export type ListOp = '?=' | '!?='
/** `field=null` / `field!=null` on the wire: IS NULL / IS NOT NULL. */
export type NullOp = '=null' | '!=null'
export type QueryOp = ScalarOp | ListOp | NullOp

export type Condition =
  | { field: string; op: ScalarOp; value: string }
  | { field: string; op: ListOp; value: string[] }
  | { field: string; op: NullOp; value: null }

export const SCALAR_OPS: readonly ScalarOp[] = ['=', '!=', '>', '<', '>=', '<=', '~=', '!~=']
export const LIST_OPS: readonly ListOp[] = ['?=', '!?=']
export const NULL_OPS: readonly NullOp[] = ['=null', '!=null']

/** The operators as they may appear between field and value on the wire. */
export const WIRE_OPS: readonly string[] = [...SCALAR_OPS, ...LIST_OPS]

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
  return op === '=null' || op === '!=null'
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
  groupBy?: string
}

/** The server's default page size when `limit` is absent. */
export const DEFAULT_LIMIT = 1000
