import { conditionDate } from './dates.js'
import { invalidQuery } from './errors.js'
import {
  type Condition,
  isDateField,
  isListOp,
  isNullOp,
  type QueryOp,
  type ScalarOp,
  SERVER_OP_ORDER,
} from './types.js'

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/
const ORDER_TEXT = SERVER_OP_ORDER.join('  ')

/** What the server makes of one `q=` string, with where it found the operator. */
export interface ServerReading {
  condition: Condition
  /** Index of the operator in the text. */
  opAt: number
  /** The text after the operator, before the server dropped anything from it. */
  rest: string
}

/**
 * Reads one `q=` string exactly as the 3.0.0 server does (zstackio/zstack 3.0.0
 * `rest/.../RestServer.java`, `handleQueryApi`): the operator is the first of `SERVER_OP_ORDER`
 * that the text contains; the field is the text before its first occurrence, trimmed; the value is
 * the rest, not trimmed, less any copies of the operator at its start (commons-lang
 * `splitByWholeSeparator(cond, op, 2)` skips empty pieces). A null test ignores what follows it.
 * Throws where the server answers 400. Field names and values are not checked here: the server
 * hands them to its query engine, which fails later (`SYS.1000`).
 */
export function readCondition(text: string): ServerReading {
  const op = SERVER_OP_ORDER.find((o) => text.includes(o))
  if (op === undefined) {
    throw invalidQuery(text, 0, {
      en: `the condition contains no operator (one of ${ORDER_TEXT})`,
      zh: `条件中没有运算符（可用：${ORDER_TEXT}）`,
    })
  }
  const opAt = text.indexOf(op)
  const rest = text.slice(opAt + op.length)
  const pieces = splitOnce(text, op)
  const field = (pieces[0] ?? '').trim()
  if (isNullOp(op)) return { condition: { field, op, value: null }, opAt, rest }
  if (pieces.length !== 2) {
    throw invalidQuery(text, Math.max(opAt + op.length - 1, 0), {
      en: `the value after "${op}" is empty (write ${field || 'field'} is null to test for a missing value)`,
      zh: `“${op}”之后的值为空（判断空值请写 ${field || '字段'} is null）`,
    })
  }
  const value = pieces[1]!
  if (isListOp(op)) return { condition: { field, op, value: splitList(value) }, opAt, rest }
  return { condition: { field, op: op as ScalarOp, value }, opAt, rest }
}

/**
 * Parses one condition the app is about to send (or answer from the cache), and refuses with a
 * clear error anything a node would read differently from what it says: a field the server would
 * not find, an operator in the value that the server would take first, a value it would shorten,
 * a quote that breaks its query text, a date MySQL may misread. Date values are given the one
 * form the node reads without doubt (`yyyy-MM-dd HH:mm:ss`, its local time).
 */
export function parseCondition(text: string): Condition {
  const reading = readCondition(text)
  const { condition: c, opAt, rest } = reading
  const fieldText = text.slice(0, opAt).trim()
  checkFieldOf(text, fieldText, c.op)
  const valueAt = opAt + c.op.length
  if (isNullOp(c.op)) {
    if (rest.trim() !== '') {
      throw invalidQuery(text, valueAt, {
        en: `nothing may follow "${c.op}" (the server ignores it)`,
        zh: `“${c.op}”之后不能再有内容（服务器会忽略它）`,
      })
    }
    return c
  }
  const value = c.op === '?=' || c.op === '!?=' ? rest : (c.value as string)
  if (rest.startsWith(c.op)) {
    throw invalidQuery(text, valueAt, {
      en: `the value starts with "${c.op}", which the server drops; this value cannot be sent`,
      zh: `值以“${c.op}”开头，服务器会将其丢弃；此值无法发送`,
    })
  }
  checkValue(text, valueAt, value)
  if (isListOp(c.op)) {
    const items = listItems(text, valueAt, rest)
    return { ...c, value: items.map((v) => dateValue(c.field, c.op, v, text, valueAt)) } as Condition
  }
  return { ...c, value: dateValue(c.field, c.op, c.value as string, text, valueAt) } as Condition
}

/** A field is dot-separated identifiers: `name`, `backupStorageRefs.backupStorageUuid`, `__userTag__`. */
export function checkField(text: string, field: string, param = 'q'): void {
  if (field === '') {
    throw invalidQuery(
      text,
      0,
      { en: 'the field name is empty (expected field<op>value)', zh: '字段名为空（应为 字段<运算符>值）' },
      param,
    )
  }
  let offset = 0
  for (const segment of field.split('.')) {
    if (!SEGMENT.test(segment)) {
      throw invalidQuery(
        text,
        offset,
        {
          en: `"${segment}" is not a valid field name (letters, digits and _, joined by dots)`,
          zh: `“${segment}”不是有效的字段名（字母、数字和下划线，以点连接）`,
        },
        param,
      )
    }
    offset += segment.length + 1
  }
}

/**
 * The wire form of a condition. Throws when the server would read the text as another condition
 * (an operator inside the value that it tries first), so nothing ambiguous is ever sent.
 */
export function formatCondition(c: Condition): string {
  const text = wireText(c)
  const back = readCondition(text).condition
  if (back.op !== c.op || back.field !== c.field || String(back.value) !== String(c.value)) {
    throw invalidQuery(text, Math.max(text.indexOf(back.op), 0), {
      en: `the value contains "${back.op}", which the server reads as the operator (it tries ${ORDER_TEXT} in this order); this condition cannot be sent`,
      zh: `值中含有“${back.op}”，服务器会把它当作运算符（按 ${ORDER_TEXT} 的顺序查找）；此条件无法发送`,
    })
  }
  return text
}

function wireText(c: Condition): string {
  if (isNullOp(c.op)) return `${c.field} ${c.op}`
  if (isListOp(c.op)) return `${c.field}${c.op}${(c.value as string[]).join(',')}`
  return `${c.field}${c.op}${c.value}`
}

/** A bad field name; where it holds an operator, says which operator the server found first. */
function checkFieldOf(text: string, field: string, op: QueryOp): void {
  if (/[=!<>?~]/.test(field)) {
    throw invalidQuery(text, text.indexOf(op), {
      en: `the server reads "${op}" as the operator (it tries ${ORDER_TEXT} in this order), so the field would be "${field}"; a value cannot contain "${op}"`,
      zh: `服务器会把“${op}”当作运算符（按 ${ORDER_TEXT} 的顺序查找），字段将变成“${field}”；值中不能含有“${op}”`,
    })
  }
  checkField(text, field)
}

function checkValue(text: string, valueAt: number, value: string): void {
  if (value !== value.trim()) {
    throw invalidQuery(text, valueAt, {
      en: 'the value starts or ends with a space, which the server keeps; remove it',
      zh: '值的开头或结尾有空格，服务器会保留它；请删除',
    })
  }
  const quote = value.indexOf("'")
  if (quote >= 0) {
    // The server writes each value between single quotes into its query text (QueryFacadeImpl).
    throw invalidQuery(text, valueAt + quote, {
      en: "a value cannot contain ' (the server puts values between single quotes); use ~= with _ in its place",
      zh: "值中不能含有 '（服务器会用单引号包住值）；可改用 ~= 并以 _ 代替",
    })
  }
}

function listItems(text: string, valueAt: number, raw: string): string[] {
  const items = raw.split(',')
  let offset = valueAt
  for (const item of items) {
    if (item === '' || item !== item.trim()) {
      throw invalidQuery(text, Math.min(offset, text.length - 1), {
        en: 'the list has an empty item or an item with spaces around it (write a,b,c)',
        zh: '列表中有空项或项两端有空格（应写成 a,b,c）',
      })
    }
    offset += item.length + 1
  }
  return items
}

/** Dates go as `yyyy-MM-dd HH:mm:ss` (the node's local time); LIKE patterns stay as written. */
function dateValue(field: string, op: QueryOp, value: string, text: string, valueAt: number): string {
  if (!isDateField(field) || op === '~=' || op === '!~=') return value
  const date = conditionDate(value)
  if (date === null) {
    throw invalidQuery(text, valueAt, {
      en: `"${value}" is not a date the node reads without doubt: write yyyy-MM-dd HH:mm:ss in the node's local time (e.g. 2017-01-01 00:00:00)`,
      zh: `“${value}”不是节点能准确读取的日期：请写成节点本地时间的 yyyy-MM-dd HH:mm:ss（如 2017-01-01 00:00:00）`,
    })
  }
  return date
}

/** The server's list split: Java's `String.split(",")`, which drops empty items at the end. */
function splitList(value: string): string[] {
  const items = value.split(',')
  while (items.length > 0 && items[items.length - 1] === '') items.pop()
  return items
}

/** commons-lang `splitByWholeSeparator(text, sep, 2)`: at most two pieces, empty pieces skipped. */
function splitOnce(text: string, sep: string): string[] {
  const pieces: string[] = []
  let from = 0
  while (from < text.length) {
    const at = text.indexOf(sep, from)
    if (at < 0) {
      pieces.push(text.slice(from))
      break
    }
    if (at > from) {
      if (pieces.length === 1) {
        pieces.push(text.slice(from))
        break
      }
      pieces.push(text.slice(from, at))
    }
    from = at + sep.length
  }
  return pieces
}
