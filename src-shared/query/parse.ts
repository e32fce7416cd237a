import { invalidQuery } from './errors.js'
import { type Condition, isListOp, type ListOp, type ScalarOp, WIRE_OPS } from './types.js'

/** Characters that can only belong to an operator; a field name never contains them. */
const OP_CHARS = new Set(['=', '!', '<', '>', '?', '~'])
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Parses one `q=` string (`<field><op><value>`, no spaces) into a Condition, or throws an
 * AppError `zstack.query.invalid` that names the character where the problem starts.
 *
 * The operator is the whole run of operator characters after the field, so `name==x` is an
 * unknown operator `==` rather than `=` with the value `=x`; values may contain operator
 * characters after their first character (`description=a=b`).
 */
export function parseCondition(text: string): Condition {
  const space = text.search(/\s/)
  if (space >= 0) {
    throw invalidQuery(text, space, {
      en: 'spaces are not allowed in a condition (write field<op>value with nothing between)',
      zh: '条件中不允许有空格（应写成 字段<运算符>值，中间不留空）',
    })
  }
  if (text === '') {
    throw invalidQuery(text, 0, { en: 'the condition is empty', zh: '条件为空' })
  }
  let opStart = 0
  while (opStart < text.length && !OP_CHARS.has(text[opStart]!)) opStart++
  const field = text.slice(0, opStart)
  if (opStart === text.length) {
    throw invalidQuery(text, text.length - 1, {
      en: `expected an operator (one of ${WIRE_OPS.join(' ')}) after the field name`,
      zh: `字段名之后缺少运算符（可用：${WIRE_OPS.join(' ')}）`,
    })
  }
  checkField(text, field)
  let opEnd = opStart
  while (opEnd < text.length && OP_CHARS.has(text[opEnd]!)) opEnd++
  const op = text.slice(opStart, opEnd)
  if (!WIRE_OPS.includes(op)) {
    throw invalidQuery(text, opStart, {
      en: `unknown operator "${op}" (expected one of ${WIRE_OPS.join(' ')})`,
      zh: `未知运算符“${op}”（可用：${WIRE_OPS.join(' ')}）`,
    })
  }
  const raw = text.slice(opEnd)
  if (raw === '') {
    throw invalidQuery(text, opEnd - 1, {
      en: `the value after "${op}" is empty (use ${field}=null to test for null)`,
      zh: `“${op}”之后的值为空（判断空值请用 ${field}=null）`,
    })
  }
  if (raw === 'null' && (op === '=' || op === '!=')) {
    return { field, op: op === '=' ? '=null' : '!=null', value: null }
  }
  if (isListOp(op as ScalarOp | ListOp)) {
    return { field, op: op as ListOp, value: parseList(text, opEnd, raw) }
  }
  return { field, op: op as ScalarOp, value: raw }
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

function parseList(text: string, valueStart: number, raw: string): string[] {
  const items = raw.split(',')
  let offset = valueStart
  for (const item of items) {
    if (item === '') {
      throw invalidQuery(text, Math.min(offset, text.length - 1), {
        en: 'the list has an empty item (write a,b,c with no empty entries)',
        zh: '列表中有空项（应写成 a,b,c，不能有空项）',
      })
    }
    offset += item.length + 1
  }
  return items
}

/** The wire form of a condition; `parseCondition(formatCondition(c))` gives back `c`. */
export function formatCondition(c: Condition): string {
  switch (c.op) {
    case '=null':
      return `${c.field}=null`
    case '!=null':
      return `${c.field}!=null`
    case '?=':
    case '!?=':
      return `${c.field}${c.op}${c.value.join(',')}`
    default:
      return `${c.field}${c.op}${c.value}`
  }
}
