import type { ErrorEnvelope } from '../../../src-main/api/contract/index.js'
import { QueryError } from '../../../src-shared/query/errors.js'
import { parseCondition } from '../../../src-shared/query/parse.js'
import { type Condition, NULL_OPS, WIRE_OPS } from '../../../src-shared/query/types.js'

/**
 * The query bar's language: ZStack `q=` conditions separated by spaces, e.g.
 * `status=Ready size>1073741824 name~=%db%`. A value with spaces is written in double quotes
 * (`name="web server 1"`, `\"` for a quote inside); null tests are `field is null` / `field not null`.
 * Each condition is checked by the app's own parser, so the bar accepts exactly what the client
 * and the cache accept. Grouping, where a screen groups, is done locally (3.0.0 ignores `groupBy`).
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
  /** As typed (quotes included). */
  text: string
  start: number
  /** The condition it stands for (quotes removed, a null test joined to its field). */
  condition: string
}

export function tokens(text: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++
      continue
    }
    const start = i
    let condition = ''
    let quoted = false
    while (i < text.length && (quoted || !/\s/.test(text[i]!))) {
      const ch = text[i]!
      if (ch === '"') quoted = !quoted
      else if (ch === '\\' && quoted && i + 1 < text.length) condition += text[++i]
      else condition += ch
      i++
    }
    const token = { text: text.slice(start, i), start, condition }
    const nullTest = /^\s+(is null|not null)(?=\s|$)/.exec(text.slice(i))
    if (nullTest && !/[=<>~]/.test(condition)) {
      i += nullTest[0].length
      token.text = text.slice(start, i)
      token.condition = `${condition} ${nullTest[1]}`
    }
    out.push(token)
  }
  return out
}

export function parseQuery(text: string, knownFields: readonly string[]): ParsedQuery {
  const conditions: string[] = []
  const parsed: Condition[] = []
  for (const token of tokens(text)) {
    const wire = withBytes(token.condition)
    const problem = conditionProblem(wire, knownFields)
    if (problem) {
      return { conditions, parsed, problem: { ...problem, position: token.start + problem.position } }
    }
    conditions.push(wire)
    parsed.push(parseCondition(wire))
  }
  return { conditions, parsed, problem: null }
}

/** What is wrong with one condition (position inside it), or null. */
function conditionProblem(condition: string, knownFields: readonly string[]): QueryProblem | null {
  try {
    const c = parseCondition(condition)
    if (knownFields.length > 0 && !isKnownField(c.field, knownFields)) {
      return {
        position: 0,
        message: {
          en: `unknown field "${c.field}" (try one of: ${knownFields.slice(0, 6).join(', ')}…)`,
          zh: `未知字段“${c.field}”（可用字段如：${knownFields.slice(0, 6).join('、')}…）`,
        },
      }
    }
    return null
  } catch (e) {
    if (!(e instanceof QueryError)) throw e
    return { position: e.details.position, message: e.text }
  }
}

/**
 * Which condition of a failed request the error is about, worked out from the request itself
 * rather than from one error code (a node says `SYS.1000` for an unknown field, the cache and
 * the parser have their own codes): a condition the parser or the field list refuses, or one
 * whose field or value the error text names. Null when the error is not about the query.
 */
export function blameQuery(
  envelope: ErrorEnvelope,
  conditions: readonly string[],
  knownFields: readonly string[],
): { condition: number; problem: QueryProblem } | null {
  for (const [i, condition] of conditions.entries()) {
    const problem = conditionProblem(condition, knownFields)
    if (problem) return { condition: i, problem }
  }
  const said = JSON.stringify([envelope.message.en, envelope.details ?? null])
  for (const [i, condition] of conditions.entries()) {
    const c = parseCondition(condition)
    const values = c.value === null ? [] : Array.isArray(c.value) ? c.value : [c.value]
    if (
      said.includes(`[${c.field}]`) ||
      said.includes(`"${c.field}"`) ||
      values.some((v) => said.includes(`[${v}]`))
    ) {
      return { condition: i, problem: { position: 0, message: envelope.message } }
    }
  }
  if (envelope.code === 'zstack.query.invalid' || envelope.code.startsWith('cache.query.')) {
    return { condition: -1, problem: { position: -1, message: envelope.message } }
  }
  return null
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
  if (token && NULL_OPS.some((op) => token.condition.endsWith(` ${op}`)))
    return { start: caret, end: caret, items: [] }
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
      return {
        start,
        end,
        items: WIRE_OPS.map((op) => ({
          insert: (NULL_OPS as readonly string[]).includes(op) ? `${word} ${op}` : word + op,
          label: op,
          kind: 'operator',
        })),
      }
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
