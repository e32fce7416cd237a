import { unquoteName } from './insert-values.js'

const BACKTICK = '`'

/**
 * The column names of a `CREATE TABLE `t` (...)` statement, in order: the elements of its outer
 * parentheses that start with a quoted name (keys and constraints start with a keyword). Quotes,
 * comments' strings and nested parentheses (`decimal(10,2)`, `enum('a,b')`) are skipped as a whole, in
 * one pass. Throws when the statement has no such list.
 */
export function columnsOfCreateTable(statement: string): string[] {
  const columns: string[] = []
  let depth = 0
  let quote: string | null = null
  let element = ''
  for (let i = 0; i < statement.length; i++) {
    const ch = statement[i] as string
    if (quote !== null) {
      if (depth === 1) element += ch
      if (ch === '\\' && quote !== BACKTICK) {
        i++
        if (depth === 1) element += statement[i] ?? ''
      } else if (ch === quote) quote = null
      continue
    }
    if (ch === "'" || ch === '"' || ch === BACKTICK) quote = ch
    else if (ch === '(') {
      depth++
      if (depth === 1) continue
    } else if (ch === ')') {
      depth--
      if (depth === 0) {
        addColumn(columns, element)
        if (columns.length === 0) break
        return columns
      }
    } else if (ch === ',' && depth === 1) {
      addColumn(columns, element)
      element = ''
      continue
    }
    if (depth >= 1) element += ch
  }
  throw new Error('its CREATE TABLE has no column list')
}

function addColumn(columns: string[], element: string): void {
  const m = /^\s*(`(?:[^`]|``)+`)/.exec(element)
  if (m) columns.push(unquoteName(m[1] as string))
}
