/**
 * Reads the rows of one mysqldump `INSERT INTO `t` [(`c`,...)] VALUES (...),(...);` statement, fed as
 * decoded text in parts of any size (the scanner hands over whole statements; tests split them). The
 * text comes from another machine: it is only ever decoded into values here, never run or re-assembled
 * into SQL. One pass, no backtracking, so the time is linear in the statement's length whatever it holds.
 *
 * Values are what the server would store: strings with mysqldump's escapes undone
 * (`\0 \' \" \b \n \r \t \Z \\`, a doubled quote, `_charset'…'` introducers), `NULL` as null, and
 * numbers or other bare words as their text.
 */

export type SqlValue = string | null

/** The statement is not what mysqldump writes; `offset` is the character offset in the statement. */
export class InsertSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at character ${offset}`)
    this.name = 'InsertSyntaxError'
  }
}

export interface InsertValuesOptions {
  /** Only these column positions are decoded; the others are skipped and read as null. Absent: all. */
  keep?: ReadonlySet<number>
  /** A kept value longer than this keeps only its first characters (an install path is at most 1024). */
  maxValueLength?: number
}

enum State {
  Head,
  BeforeRow,
  FieldStart,
  Bare,
  Text,
  Escape,
  QuoteInText,
  FieldEnd,
  AfterRow,
  Done,
}

const QUOTE = 0x27
const OPEN = 0x28
const CLOSE = 0x29
const COMMA = 0x2c
const SEMI = 0x3b
const MAX_HEAD = 64 * 1024
/** `_binary '…'`, `_utf8mb4'…'` (a charset introducer), `b'0101'`, `x'ff'`: a word before a string. */
const INTRODUCER = /^(?:_\w+|[bBxX])$/
const BARE_VALUE = /^[-+]?[\w.]+(?:[eE][-+]?\d+)?$/
const DEFAULT_MAX_VALUE = 64 * 1024

/** mysqldump's escapes (MySQL's `escape_string_for_mysql`); any other escaped character stands for itself. */
const UNESCAPE: Record<number, number> = {
  48: 0x00, // \0
  98: 0x08, // \b
  110: 0x0a, // \n
  114: 0x0d, // \r
  116: 0x09, // \t
  90: 0x1a, // \Z
}

function indexOr(found: number, none: number): number {
  return found === -1 ? none : found
}

/** Where a bare value (number, NULL, introducer) ends: a separator, a space or a quote. */
function isBareEnd(b: number): boolean {
  return b === COMMA || b === CLOSE || b === QUOTE || isSpace(b)
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09
}

export class InsertValuesParser {
  private state = State.Head
  private head = ''
  private offset = 0
  private row: SqlValue[] = []
  private parts: string[] = []
  private partLength = 0
  private bare = ''
  /** Column names when the statement lists them (`mysqldump --complete-insert`), else null. */
  columns: string[] | null = null

  constructor(
    private readonly onRow: (row: SqlValue[]) => void,
    private readonly options: InsertValuesOptions = {},
  ) {}

  push(part: string): void {
    const n = part.length
    let i = 0
    let backslash = -1
    while (i < n) {
      const b = part.charCodeAt(i)
      switch (this.state) {
        case State.Head:
          if (b === OPEN && /\bVALUES\s*$/i.test(this.head)) {
            this.columns = columnList(this.head)
            if (this.columns === null && this.head.includes('(')) this.fail('unreadable column list', i)
            this.state = State.FieldStart
          } else {
            this.head += part[i]
            if (this.head.length > MAX_HEAD) this.fail('no VALUES list', i)
          }
          break
        case State.BeforeRow:
          if (b === OPEN) this.state = State.FieldStart
          else if (!isSpace(b)) this.fail('expected (', i)
          break
        case State.FieldStart:
          if (b === QUOTE) this.state = State.Text
          else if (b === CLOSE && this.row.length === 0) this.endRow()
          else if (!isSpace(b)) {
            this.bare = part[i] as string
            this.state = State.Bare
          }
          break
        case State.Bare: {
          let j = i
          while (j < n && !isBareEnd(part.charCodeAt(j))) j++
          if (j > i) {
            if (this.bare.length + j - i > 256) this.fail('bare value too long', i)
            this.bare += part.slice(i, j)
            i = j
            continue
          }
          if (isSpace(b) && INTRODUCER.test(this.bare)) break
          if (b === QUOTE) {
            if (!INTRODUCER.test(this.bare)) this.fail('quote inside a bare value', i)
            this.bare = ''
            this.state = State.Text
            break
          }
          this.endBare(i)
          continue
        }
        case State.Text: {
          // String searches for the next quote and backslash (V8 does them natively, cheap per call);
          // the backslash position is reused until passed, so every character is searched over once.
          if (backslash < i) backslash = indexOr(part.indexOf('\\', i), n)
          const j = Math.min(indexOr(part.indexOf("'", i), n), backslash)
          if (j > i) this.collect(part.slice(i, j))
          if (j === n) {
            i = n
            continue
          }
          this.state = part.charCodeAt(j) === QUOTE ? State.QuoteInText : State.Escape
          i = j + 1
          continue
        }
        case State.Escape:
          this.collect(String.fromCharCode(UNESCAPE[b] ?? b))
          this.state = State.Text
          break
        case State.QuoteInText:
          if (b === QUOTE) {
            this.collect("'")
            this.state = State.Text
            break
          }
          this.row.push(this.kept() ? this.parts.join('') : null)
          this.resetValue()
          this.state = State.FieldEnd
          continue
        case State.FieldEnd:
          if (b === COMMA) this.state = State.FieldStart
          else if (b === CLOSE) this.endRow()
          else if (!isSpace(b)) this.fail('expected , or )', i)
          break
        case State.AfterRow:
          if (b === COMMA) this.state = State.BeforeRow
          else if (b === SEMI) this.state = State.Done
          else if (!isSpace(b)) this.fail('expected , or ;', i)
          break
        case State.Done:
          if (!isSpace(b)) this.fail('text after the end of the statement', i)
          break
      }
      i++
    }
    this.offset += n
  }

  /** Throws unless the statement ended with its `;` (a truncated backup, or not an INSERT). */
  end(): void {
    if (this.state !== State.Done && this.state !== State.AfterRow)
      this.fail('the statement ends in the middle', 0)
  }

  private kept(): boolean {
    return this.options.keep === undefined || this.options.keep.has(this.row.length)
  }

  private collect(text: string): void {
    if (!this.kept()) return
    const room = (this.options.maxValueLength ?? DEFAULT_MAX_VALUE) - this.partLength
    if (room <= 0) return
    const taken = text.length > room ? text.slice(0, room) : text
    this.parts.push(taken)
    this.partLength += taken.length
  }

  private resetValue(): void {
    this.parts = []
    this.partLength = 0
  }

  private endBare(at: number): void {
    const word = this.bare
    this.bare = ''
    if (!BARE_VALUE.test(word)) this.fail('unexpected bare value', at)
    this.row.push(/^null$/i.test(word) || !this.kept() ? null : word)
    this.state = State.FieldEnd
  }

  private endRow(): void {
    const row = this.row
    this.row = []
    this.state = State.AfterRow
    this.onRow(row)
  }

  private fail(reason: string, at: number): never {
    throw new InsertSyntaxError(reason, this.offset + at)
  }
}

/** `` INSERT INTO `t` (`a`,`b`) VALUES `` → ['a', 'b']; null when the statement lists no columns. */
function columnList(head: string): string[] | null {
  const m = /\(([^()]*)\)\s*VALUES\s*$/i.exec(head)
  if (!m) return null
  return (m[1] as string).split(',').map((c) => unquoteName(c.trim()))
}

/** `` `a``b` `` → ``a`b``; a bare name as it is. */
export function unquoteName(name: string): string {
  return name.startsWith('`') && name.endsWith('`') && name.length >= 2
    ? name.slice(1, -1).replace(/``/g, '`')
    : name
}
