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
    return this.add({ field, op: '=null', value: null })
  }

  notNull(field: string): this {
    return this.add({ field, op: '!=null', value: null })
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
    // Round-trip through the wire form: rejects spaces, empty values, bad fields with the parser's message.
    const wire = formatCondition(c)
    const parsed = parseCondition(wire)
    if (parsed.op !== c.op) {
      // The wire cannot say "equals the string null": it always means IS NULL. Refuse rather than guess.
      throw invalidQuery(wire, wire.length - 4, {
        en: 'the value "null" always means a null test on the wire; use isNull()/notNull()',
        zh: '值“null”在查询中总是表示空值判断；请使用 isNull()/notNull()',
      })
    }
    this.options.conditions.push(parsed)
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
