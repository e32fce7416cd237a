import { invalidQuery } from './errors.js'
import { checkField } from './parse.js'

/**
 * `groupBy`, done by the app itself: a 3.0.0 node reads the parameter and ignores it
 * (`QueryFacadeImpl.queryUseZQL` never passes it on), so every row comes back. Keeps the first
 * row (in the given order) of each value of `field`; text values group without regard to case,
 * as MySQL's utf8_general_ci does. A name no row has as its own field (`constructor`, a typo) is
 * refused like any other unknown field. Gson leaves null keys out, so a field that is null in
 * every row cannot be told from an unknown one; the error says so.
 */
export function groupRows<T extends object>(rows: readonly T[], field: string): T[] {
  checkField(field, field, 'groupBy')
  if (rows.length > 0 && !rows.some((r) => Object.hasOwn(r, field))) {
    throw invalidQuery(
      field,
      0,
      {
        en: `no row has the field "${field}" (an unknown field, or one that is empty in every row); grouping is done locally`,
        zh: `没有任何记录含有字段“${field}”（未知字段，或该字段在所有记录中为空）；分组在本地完成`,
      },
      'groupBy',
    )
  }
  const seen = new Set<string>()
  const out: T[] = []
  for (const row of rows) {
    const key = groupKey(Object.hasOwn(row, field) ? (row as Record<string, unknown>)[field] : null)
    if (seen.has(key)) continue
    seen.add(key)
    out.push(row)
  }
  return out
}

function groupKey(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return `s:${value.toLowerCase()}`
  return `j:${JSON.stringify(value)}`
}
