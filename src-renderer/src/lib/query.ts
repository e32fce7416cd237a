import { isAppError } from '../../../src-main/errors/app-error.js'
import { parseCondition } from '../../../src-main/zstack/query/parse.js'
import { type Condition, WIRE_OPS } from '../../../src-main/zstack/query/types.js'

/**
 * The query bar's language: ZStack `q=` conditions separated by spaces (a condition itself never
 * contains one), e.g. `status=Ready size>1073741824 name~=%db%`. Parsing is the backend's own
 * parser, so the bar accepts exactly what the client and the cache accept.
 */
export interface QueryProblem {
  /** 0-based index in the whole text. */
  position: number
  message: { en: string; zh: string }
}

export interface ParsedQuery {
  conditions: string[]
  parsed: Condition[]
  problem: QueryProblem | null
}

interface Token {
  text: string
  start: number
}

export function tokens(text: string): Token[] {
  return [...text.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index }))
}

export function parseQuery(text: string, knownFields: readonly string[]): ParsedQuery {
  const conditions: string[] = []
  const parsed: Condition[] = []
  for (const token of tokens(text)) {
    try {
      const wire = withBytes(token.text)
      const condition = parseCondition(wire)
      if (knownFields.length > 0 && !isKnownField(condition.field, knownFields)) {
        return {
          conditions,
          parsed,
          problem: {
            position: token.start,
            message: {
              en: `unknown field "${condition.field}" (try one of: ${knownFields.slice(0, 6).join(', ')}…)`,
              zh: `未知字段“${condition.field}”（可用字段如：${knownFields.slice(0, 6).join('、')}…）`,
            },
          },
        }
      }
      conditions.push(wire)
      parsed.push(condition)
    } catch (e) {
      if (!isAppError(e)) throw e
      const position = typeof e.details?.position === 'number' ? e.details.position : 0
      return { conditions, parsed, problem: { position: token.start + position, message: e.text } }
    }
  }
  return { conditions, parsed, problem: null }
}

/** Fields holding bytes: the table shows them in KB…TB, so the bar takes those units too. */
const SIZE_FIELD = /(^|\.)(size|actualSize|totalCapacity|availableCapacity)$/
const UNIT = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)$/i
const POWERS: Record<string, number> = { b: 0, k: 1, m: 2, g: 3, t: 4, p: 5 }

/**
 * `size>10GB` as the node takes it: `size>10737418240` (1024-based, as the table's sizes are).
 * Anything else is returned unchanged, for the parser to judge.
 */
export function withBytes(condition: string): string {
  const m = /^([\w.]+)([=!<>?~]+)(.+)$/.exec(condition)
  if (!m || !SIZE_FIELD.test(m[1]!)) return condition
  const values = m[3]!.split(',').map((v) => {
    const u = UNIT.exec(v)
    if (!u) return v
    const bytes = Number(u[1]) * 1024 ** POWERS[u[2]!.charAt(0).toLowerCase()]!
    return String(Math.round(bytes))
  })
  return `${m[1]}${m[2]}${values.join(',')}`
}

function isKnownField(field: string, known: readonly string[]): boolean {
  return known.includes(field) || field === '__systemTag__' || field === '__userTag__'
}

export interface Completion {
  /** What replaces the token under the caret. */
  insert: string
  label: string
  kind: 'field' | 'operator'
}

const OP_CHARS = /[=!<>?~]/

/** Completions for the token under the caret: field names until an operator starts, then operators. */
export function completions(
  text: string,
  caret: number,
  fields: readonly string[],
): { start: number; end: number; items: Completion[] } {
  const token = tokens(text).find((t) => caret >= t.start && caret <= t.start + t.text.length)
  const start = token?.start ?? caret
  const word = token?.text ?? ''
  const end = start + word.length
  const opAt = word.search(OP_CHARS)
  if (opAt < 0) {
    const lower = word.toLowerCase()
    const items = fields
      .filter((f) => f.toLowerCase().includes(lower) && f !== word)
      .sort((a, b) => Number(!a.toLowerCase().startsWith(lower)) - Number(!b.toLowerCase().startsWith(lower)))
      .slice(0, 12)
      .map((f): Completion => ({ insert: f, label: f, kind: 'field' }))
    if (fields.includes(word)) {
      return { start, end, items: WIRE_OPS.map((op) => ({ insert: word + op, label: op, kind: 'operator' })) }
    }
    return { start, end, items }
  }
  const field = word.slice(0, opAt)
  const typedOp = word.slice(opAt).match(/^[=!<>?~]+/)?.[0] ?? ''
  // Only offer operators while the value has not been started.
  if (opAt + typedOp.length < word.length) return { start, end, items: [] }
  const items = WIRE_OPS.filter((op) => op.startsWith(typedOp) && op !== typedOp).map(
    (op): Completion => ({ insert: field + op, label: op, kind: 'operator' }),
  )
  return { start, end, items }
}
