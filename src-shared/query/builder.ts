import { invalidQuery } from './errors.js'
import { checkField, formatCondition, parseCondition } from './parse.js'
import type { Condition, ListOp, QueryOptions, ScalarOp, SortDirection } from './types.js'

/**
 * Fluent construction of QueryOptions. Every condition goes through the parser on the way in,
 * so a builder can never produce a query the server (or the cache) would reject.
 *
 *   query().where('status', '=', 'Ready').in('uuid', ids).sort('createDate', 'desc').limit(100).build()
 */
export class QueryBuilder {
  private readonly options: QueryOptions = { conditions: [] }

  where(field: string, op: ScalarOp, value: string | number): this {
    return this.add({ field, op, value: String(value) })
  }

  in(field: string, values: readonly (string | number)[]): this {
    return this.list(field, '?=', values)
  }

  notIn(field: string, values: readonly (string | number)[]): this {
    return this.list(field, '!?=', values)
  }

  like(field: string, pattern: string): this {
    return this.where(field, '~=', pattern)
  }

  isNull(field: string): this {
    return this.add({ field, op: 'is null', value: null })
  }

  notNull(field: string): this {
    return this.add({ field, op: 'not null', value: null })
  }

  systemTag(tag: string): this {
    return this.where('__systemTag__', '=', tag)
  }

  userTag(tag: string): this {
    return this.where('__userTag__', '=', tag)
  }

  limit(n: number): this {
    this.options.limit = checkCount('limit', n)
    return this
  }

  start(n: number): this {
    this.options.start = checkCount('start', n)
    return this
  }

  count(): this {
    this.options.count = true
    return this
  }

  replyWithCount(): this {
    this.options.replyWithCount = true
    return this
  }

  sort(field: string, direction: SortDirection = 'asc'): this {
    checkField(field, field, 'sort')
    this.options.sort = { field, direction }
    return this
  }

  fields(...fields: string[]): this {
    for (const f of fields) checkField(f, f, 'fields')
    this.options.fields = fields
    return this
  }

  /** Grouped locally (`groupRows`): a 3.0.0 node ignores `groupBy`. */
  groupBy(field: string): this {
    checkField(field, field, 'groupBy')
    this.options.groupBy = field
    return this
  }

  build(): QueryOptions {
    return structuredClone(this.options)
  }

  private list(field: string, op: ListOp, values: readonly (string | number)[]): this {
    return this.add({ field, op, value: values.map(String) })
  }

  private add(c: Condition): this {
    // Through the wire form and back, as the server will read it: refuses an operator inside the
    // value, an empty value or a bad field with the parser's message, and gives dates their form.
    this.options.conditions.push(parseCondition(formatCondition(c)))
    return this
  }
}

export function query(): QueryBuilder {
  return new QueryBuilder()
}

function checkCount(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw invalidQuery(
      String(n),
      0,
      { en: `${name} must be a non-negative integer`, zh: `${name} 必须是非负整数` },
      name,
    )
  }
  return n
}
