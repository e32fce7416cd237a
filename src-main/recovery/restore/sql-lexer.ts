/**
 * Splits a SQL dump into statements the way the `mysql` command-line client does, in one streaming
 * pass whose work is linear in the input (a 32 MiB line costs what 32 MiB of short lines cost).
 *
 * It follows the client's rules (MariaDB `client/mysql.cc`, `add_line` and `read_and_execute`):
 * quotes, backticks, `/* *\/`, `-- ` and `#` comments, the current `DELIMITER`, and the executable
 * comments `/*!NNNNN ... *\/` and `/*M!NNNNNN ... *\/`, whose content is code (the server runs it).
 * Wherever the client or the server could read the bytes differently from this lexer, or the client
 * would act on its own (`\!`, `system`, `source`, `connect`, `tee`, `pager`...), the statement gets a
 * `problem`: the caller refuses it. So this lexer may refuse more than is dangerous, never less.
 */

export enum Tok {
  /** A run of `[A-Za-z0-9_$]` and bytes ≥ 0x80: keywords, bare names, numbers. */
  Word = 1,
  /** `'...'` (backslash escapes, doubled quotes split into two adjacent tokens). */
  Text = 2,
  /** `` `...` `` */
  Ident = 3,
  /** Any other single byte: `( ) , . = @ ;` ... */
  Punct = 4,
  /** `/*!NNNNN` or `/*M!NNNNNN`: the start of an executable comment. */
  VersionOpen = 5,
  /** The `*\/` that ends an executable comment. */
  VersionClose = 6,
}

/** Token list of one statement, in flat typed arrays (a big INSERT has millions of tokens). */
export class Tokens {
  kinds = new Uint8Array(64)
  starts = new Int32Array(64)
  ends = new Int32Array(64)
  length = 0

  push(kind: Tok, start: number, end: number): void {
    if (this.length === this.kinds.length) {
      const grow = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2)
        b.set(a)
        return b
      }
      this.kinds = grow(this.kinds, (n) => new Uint8Array(n))
      this.starts = grow(this.starts, (n) => new Int32Array(n))
      this.ends = grow(this.ends, (n) => new Int32Array(n))
    }
    this.kinds[this.length] = kind
    this.starts[this.length] = start
    this.ends[this.length] = end
    this.length++
  }
}

export interface LexedStatement {
  /** The statement's bytes, from its first token to just before its delimiter. */
  text: Buffer
  /** 1-based line of its first token, and of its last byte. */
  line: number
  lastLine: number
  /** The delimiter that ended it (`;` or `;;`), '' when the input ended without one. */
  delimiter: string
  /** Token offsets are relative to `text`. */
  tokens: Tokens
  /** Why the client or server might not read it as tokenised here; non-empty means refuse. */
  problems: string[]
}

/** Named client commands (`mysql.cc` `commands[]`): at a line start the client runs them itself. */
const CLIENT_COMMANDS = new Set([
  'clear',
  'connect',
  'delimiter',
  'edit',
  'ego',
  'exit',
  'go',
  'help',
  'nopager',
  'notee',
  'nowarning',
  'pager',
  'print',
  'prompt',
  'quit',
  'rehash',
  'resetconnection',
  'sandbox',
  'source',
  'status',
  'system',
  'tee',
  'use',
  'charset',
  'warnings',
])

/** MariaDB ≥ 10.5.25 mysqldump's first line; the client enters sandbox mode, the server sees a comment. */
const SANDBOX_MARKER = Buffer.from('/*M!999999\\- enable the sandbox mode */')
/** Bytes kept back at a chunk end so every look-ahead (markers, a line's first word) sees whole text. */
const LOOKAHEAD = 64
/** A statement longer than this is refused (mysqldump writes INSERTs of about 1 MiB). */
export const MAX_STATEMENT_BYTES = 256 * 1024 * 1024

enum Mode {
  Code = 0,
  Quote = 1,
  DoubleQuote = 2,
  Backtick = 3,
  BlockComment = 4,
  LineComment = 5,
  Word = 6,
}

const NL = 0x0a
const CR = 0x0d
const TAB = 0x09
const SPACE = 0x20
const BACKSLASH = 0x5c
const STAR = 0x2a
const SLASH = 0x2f
const DASH = 0x2d
const HASH = 0x23
const BANG = 0x21
const QUOTE = 0x27
const DQUOTE = 0x22
const BACKTICK = 0x60
const SEMI = 0x3b
const QUESTION = 0x3f

function isWordByte(b: number): boolean {
  return (
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x5f ||
    b === 0x24 ||
    b >= 0x80
  )
}

function isBlank(b: number): boolean {
  return b === SPACE || b === TAB || b === CR || b === 0x0b || b === 0x0c
}

export class SqlLexer {
  private mode = Mode.Code
  private inVersion = false
  private delimiter = ';'
  private atLineStart = true
  private line = 1
  private carry: Buffer | null = null
  /** Absolute offset of `carry[0]` (or of the next chunk when there is no carry). */
  private offset = 0
  // The statement being read: its pieces, absolute start, tokens and problems.
  private pieces: Buffer[] = []
  private pieceBytes = 0
  private start = -1
  private startLine = 0
  private tokens = new Tokens()
  private problems: string[] = []
  private tokenStart = -1
  private problemLine = 0
  /** Bytes scanned plus bytes copied so far: the "work" a linearity test asserts on. */
  work = 0

  constructor(private readonly emit: (statement: LexedStatement) => void) {}

  push(chunk: Buffer): void {
    if (this.carry) this.work += this.carry.length + chunk.length
    this.scan(this.carry ? Buffer.concat([this.carry, chunk]) : chunk, false)
  }

  end(): void {
    this.scan(this.carry ?? Buffer.alloc(0), true)
    if (this.mode === Mode.Quote || this.mode === Mode.DoubleQuote || this.mode === Mode.Backtick)
      this.problem('text or name left open at the end of the file')
    else if (this.mode === Mode.BlockComment) this.problem('comment left open at the end of the file')
    if (this.inVersion) this.problem('executable comment /*!...*/ left open at the end of the file')
    this.finish('')
  }

  private problem(text: string): void {
    if (this.problems.length === 0) this.problemLine = this.line
    if (this.problems.length < 5) this.problems.push(`line ${this.line}: ${text}`)
  }

  private open(at: number): void {
    this.start = at
    this.startLine = this.line
  }

  /** Scans `buf` (absolute offset `this.offset`); keeps an unprocessed tail when more input follows. */
  private scan(buf: Buffer, final: boolean): void {
    const base = this.offset
    const limit = final ? buf.length : Math.max(0, buf.length - LOOKAHEAD)
    let i = 0
    while (i < limit) i = this.step(buf, i, limit, base, final)
    this.work += i
    // The open statement (and an open token) keep the bytes they span.
    if (this.start >= 0) {
      const from = Math.max(0, this.start + this.pieceBytes - base)
      if (i > from) {
        this.pieces.push(buf.subarray(from, i))
        this.pieceBytes += i - from
      }
      if (this.pieceBytes > MAX_STATEMENT_BYTES && !this.problems.some((p) => p.includes('longer than')))
        this.problem(`statement longer than ${MAX_STATEMENT_BYTES} bytes`)
    }
    this.carry = i < buf.length ? Buffer.from(buf.subarray(i)) : null
    this.offset = base + i
  }

  /** Handles the byte at `i`; returns the index of the next unhandled byte. */
  private step(buf: Buffer, i: number, limit: number, base: number, final: boolean): number {
    const b = buf[i] as number
    switch (this.mode) {
      case Mode.Quote:
      case Mode.DoubleQuote:
      case Mode.Backtick:
        return this.inQuoted(buf, i, limit, base, final)
      case Mode.BlockComment:
        return this.inComment(buf, i, limit)
      case Mode.LineComment:
        return this.inLineComment(buf, i, limit)
      case Mode.Word:
        return this.inWord(buf, i, limit, base, final)
    }
    if (b === NL) {
      this.line++
      this.atLineStart = true
      return i + 1
    }
    if (isBlank(b)) return i + 1
    if (this.atLineStart) {
      this.atLineStart = false
      const skip = this.lineStart(buf, i, final)
      if (skip !== i) return skip
    }
    if (this.delimiterAt(buf, i)) {
      if (this.inVersion) this.problem('the statement ends inside an executable comment /*!...*/')
      this.finishAt(base + i, this.delimiter, buf, base)
      return i + this.delimiter.length
    }
    const next = buf[i + 1]
    if (b === SLASH && next === STAR) return this.commentStart(buf, i, base)
    if (b === STAR && next === SLASH && this.inVersion) {
      this.inVersion = false
      this.token(Tok.VersionClose, base + i, base + i + 2)
      return i + 2
    }
    if (
      b === HASH ||
      (b === DASH && next === DASH && (i + 2 >= buf.length || isLineCommentEnd(buf[i + 2])))
    ) {
      if (this.inVersion) this.problem('a line comment inside an executable comment /*!...*/')
      this.mode = Mode.LineComment
      return i + 1
    }
    if (b === DASH && next === DASH && buf[i + 2] !== undefined && (buf[i + 2] as number) < SPACE)
      this.problem('"--" followed by a control character')
    if (b === QUOTE || b === DQUOTE || b === BACKTICK) {
      if (b === DQUOTE) this.problem('double-quoted text (mysqldump writes single quotes)')
      this.mode = b === QUOTE ? Mode.Quote : b === DQUOTE ? Mode.DoubleQuote : Mode.Backtick
      this.tokenStart = base + i
      if (this.start < 0) this.open(base + i)
      return i + 1
    }
    if (isWordByte(b)) {
      this.mode = Mode.Word
      this.tokenStart = base + i
      if (this.start < 0) this.open(base + i)
      return this.inWord(buf, i + 1, limit, base, final)
    }
    if (b === BACKSLASH) this.problem(`client command "\\${printable(buf[i + 1])}"`)
    else if (b < SPACE || b === 0x7f) this.problem(`control character 0x${b.toString(16).padStart(2, '0')}`)
    this.token(Tok.Punct, base + i, base + i + 1)
    return i + 1
  }

  private token(kind: Tok, start: number, end: number): void {
    if (this.start < 0) this.open(start)
    this.tokens.push(kind, start - this.start, end - this.start)
  }

  private delimiterAt(buf: Buffer, i: number): boolean {
    if (buf[i] !== SEMI) return false
    return this.delimiter === ';' || buf[i + 1] === SEMI
  }

  /** A line's first word: the client runs named commands itself when they start a line. */
  private lineStart(buf: Buffer, i: number, final: boolean): number {
    if (buf[i] === QUESTION) {
      this.problem('client command "?"')
      return i
    }
    let j = i
    while (j < buf.length && j - i < 20 && isWordByte(buf[j] as number)) j++
    const word = buf.toString('latin1', i, j).toLowerCase()
    if (!CLIENT_COMMANDS.has(word) || word === 'use') return i
    if (word === 'delimiter' && this.start < 0 && !this.inVersion) {
      const nl = buf.indexOf(NL, j)
      const end = nl === -1 ? (final ? buf.length : -1) : nl
      const arg = end === -1 ? null : buf.toString('latin1', j, end).trim()
      if (arg === ';' || arg === ';;') {
        this.delimiter = arg
        return end
      }
      this.problem(`DELIMITER other than ";" or ";;": ${JSON.stringify((arg ?? '').slice(0, 20))}`)
      return i
    }
    this.problem(`client command "${word}"`)
    return i
  }

  private commentStart(buf: Buffer, i: number, base: number): number {
    if (buf.subarray(i, i + SANDBOX_MARKER.length).equals(SANDBOX_MARKER)) return i + SANDBOX_MARKER.length
    const m = buf[i + 2] === 0x4d /* M */ ? 3 : 2
    if (buf[i + m] === BANG) {
      if (this.inVersion) this.problem('an executable comment inside another')
      let j = i + m + 1
      while (
        j < buf.length &&
        j - (i + m + 1) < 6 &&
        (buf[j] as number) >= 0x30 &&
        (buf[j] as number) <= 0x39
      )
        j++
      this.inVersion = true
      this.token(Tok.VersionOpen, base + i, base + j)
      return j
    }
    if (this.inVersion) this.problem('a comment inside an executable comment /*!...*/')
    this.mode = Mode.BlockComment
    return i + 2
  }

  /** Words run on across chunks (a `--hex-blob` value can be megabytes). */
  private inWord(buf: Buffer, i: number, limit: number, base: number, final: boolean): number {
    let j = i
    while (j < limit && isWordByte(buf[j] as number)) j++
    if (j === limit && !final) return j
    this.mode = Mode.Code
    this.token(Tok.Word, this.tokenStart, base + j)
    return j
  }

  private inQuoted(buf: Buffer, i: number, limit: number, base: number, final: boolean): number {
    const close = this.mode === Mode.Quote ? QUOTE : this.mode === Mode.DoubleQuote ? DQUOTE : BACKTICK
    const escapes = this.mode !== Mode.Backtick
    let j = i
    while (j < limit) {
      const b = buf[j] as number
      if (b === close) {
        this.mode = Mode.Code
        this.token(close === BACKTICK ? Tok.Ident : Tok.Text, this.tokenStart, base + j + 1)
        return j + 1
      }
      if (b === BACKSLASH && escapes) {
        if (j + 1 >= buf.length) return final ? buf.length : j
        if (buf[j + 1] === NL) this.line++
        j += 2
        continue
      }
      if (b === NL) this.line++
      else if (b === STAR && this.inVersion && buf[j + 1] === SLASH)
        this.problem(
          '"*/" inside text in an executable comment (a server that skips the comment reads it differently)',
        )
      j++
    }
    return j
  }

  private inComment(buf: Buffer, i: number, limit: number): number {
    let j = i
    while (j < limit) {
      const b = buf[j] as number
      if (b === STAR && buf[j + 1] === SLASH) {
        this.mode = Mode.Code
        return j + 2
      }
      if (b === NL) this.line++
      else if (b === BACKSLASH) this.problem('a backslash inside a comment')
      j++
    }
    return j
  }

  private inLineComment(buf: Buffer, i: number, limit: number): number {
    const nl = buf.indexOf(NL, i)
    if (nl === -1 || nl >= limit) return limit
    this.mode = Mode.Code
    return nl
  }

  private finishAt(at: number, delimiter: string, buf: Buffer, base: number): void {
    if (this.start >= 0) {
      const from = Math.max(0, this.start + this.pieceBytes - base)
      const to = at - base
      if (to > from) {
        this.pieces.push(buf.subarray(from, to))
        this.pieceBytes += to - from
      }
    }
    this.finish(delimiter)
  }

  private finish(delimiter: string): void {
    if (this.start >= 0 || this.problems.length > 0) {
      if (this.pieces.length > 1) this.work += this.pieceBytes
      const text = this.pieces.length === 1 ? (this.pieces[0] as Buffer) : Buffer.concat(this.pieces)
      this.emit({
        text,
        line: this.start >= 0 ? this.startLine : this.problemLine,
        lastLine: this.line,
        delimiter,
        tokens: this.tokens,
        problems: this.problems,
      })
    }
    this.pieces = []
    this.pieceBytes = 0
    this.start = -1
    this.tokens = new Tokens()
    this.problems = []
    this.inVersion = false
  }
}

function isLineCommentEnd(b: number | undefined): boolean {
  return b === undefined || b === SPACE || b === TAB || b === NL || b === CR
}

function printable(b: number | undefined): string {
  return b !== undefined && b > SPACE && b < 0x7f ? String.fromCharCode(b) : '?'
}
