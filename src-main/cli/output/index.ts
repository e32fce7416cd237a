import { type Command, Option } from 'commander'
import type { LocalizedText } from '../../errors/app-error.js'
import { redactValue } from '../../errors/redact.js'
import { type CliLang, cliLangs, pickLang, say } from './lang.js'
import { formatTable, type TableText } from './table.js'
import { safeJson, safeText } from './terminal-safe.js'
import type { TerminalWriter } from './writer.js'

/**
 * The one output layer of every command: `--output table|json|ndjson|csv` (`--json` is the short
 * form of json), `--no-headers`, `--wide`, `--lang`, `--quiet`. A list command describes its
 * rows and columns once (`printList`); the format decides what reaches stdout. Notes about the
 * answer (where it came from, how old) go to stderr so that piped data stays pure.
 */
export const outputFormats = ['table', 'json', 'ndjson', 'csv'] as const
export type OutputFormat = (typeof outputFormats)[number]

const columnsLeftOut = {
  en: 'Left out to fit the terminal: {columns} (--wide shows every column).',
  zh: '为适应终端宽度未显示：{columns}（--wide 显示全部列）。',
}

export interface OutputSettings {
  format: OutputFormat
  headers: boolean
  wide: boolean
  quiet: boolean
  lang: CliLang
  /** Terminal width for tables; undefined when not a terminal (no truncation). */
  width: number | undefined
}

export interface Streams {
  stdout: TerminalWriter
  stderr: TerminalWriter
}

interface GlobalOpts {
  output?: OutputFormat
  json?: boolean
  headers?: boolean
  wide?: boolean
  quiet?: boolean
  lang?: string
}

/** The program-wide options of this layer (every subcommand sees them). */
export function addOutputOptions(program: Command): Command {
  return program
    .addOption(
      new Option(
        '-o, --output <format>',
        'table on a terminal, ndjson when piped (default); json is one document; csv has every column',
      ).choices(outputFormats),
    )
    .option('--json', 'the same as --output json (one JSON document on stdout)')
    .option('--no-headers', 'tables and CSV without the header line')
    .option('--wide', 'tables with every column, not cut to the terminal width')
    .addOption(
      new Option('--lang <lang>', 'language of tables and messages (default: the locale) / 语言').choices(
        cliLangs,
      ),
    )
    .option('--quiet', 'no progress line and no notes on stderr (errors are still printed)')
}

/** The settings of this run: a table on a terminal, NDJSON when piped, unless asked otherwise. */
export function outputSettings(command: Command, io: Streams): OutputSettings {
  const o = command.optsWithGlobals<GlobalOpts>()
  return {
    format: o.json ? 'json' : (o.output ?? (io.stdout.isTTY ? 'table' : 'ndjson')),
    headers: o.headers !== false,
    wide: o.wide === true,
    quiet: o.quiet === true,
    lang: pickLang(o.lang),
    width: o.wide ? undefined : io.stdout.columns,
  }
}

/** One column of a list: its header, the raw value (JSON, CSV) and the text a person reads. */
export interface Column<R> {
  header: LocalizedText
  value: (row: R) => unknown
  /** Table text; default: the raw value as text. */
  show?: (row: R, lang: CliLang) => string
  right?: boolean
  /** Gives up width first when the table is too wide (names, paths). */
  shrink?: boolean
  /** Only with --wide (and always in CSV). */
  wide?: boolean
}

export interface ListOutput<R> {
  /** The document `--output json` prints (what `--json` always printed). */
  document: unknown
  rows: readonly R[]
  columns: readonly Column<R>[]
  /** About the answer (source, age, totals): stderr in every format but json, and not with --quiet. */
  notes?: string[]
  /** Said on stderr when there are no rows. */
  empty?: LocalizedText
}

export function printList<R>(command: Command, io: Streams, list: ListOutput<R>): void {
  const s = outputSettings(command, io)
  const data = redactValue(list.rows) as R[]
  let hidden: string | undefined
  switch (s.format) {
    case 'json':
      io.stdout.write(`${safeJson(redactValue(list.document), 2)}\n`)
      return
    case 'ndjson':
      for (const row of data) io.stdout.write(`${safeJson(row)}\n`)
      break
    case 'csv':
      io.stdout.write(csv(data, list.columns, s))
      break
    case 'table':
      if (data.length > 0) {
        const t = tableText(data, list.columns, s)
        io.stdout.write(`${t.text}\n`)
        if (t.hidden.length > 0) hidden = say(s.lang, columnsLeftOut, { columns: t.hidden.join(', ') })
      }
      break
  }
  if (s.quiet) return
  const notes = [
    ...(data.length === 0 && list.empty ? [list.empty[s.lang]] : []),
    ...(hidden ? [hidden] : []),
    ...(list.notes ?? []),
  ]
  for (const note of notes) io.stderr.write(`${note}\n`)
}

/**
 * A single result (a report, a login, a version): one JSON document with `--json`/`--output json`,
 * one line with `--output ndjson`, else the command's own text (also when piped, as always).
 */
export function printValue(command: Command, io: Streams, value: unknown, human: () => string): void {
  const o = command.optsWithGlobals<GlobalOpts>()
  const format = o.json ? 'json' : o.output
  if (format === 'json') io.stdout.write(`${safeJson(redactValue(value), 2)}\n`)
  else if (format === 'ndjson') io.stdout.write(`${safeJson(redactValue(value))}\n`)
  else io.stdout.write(`${human()}\n`)
}

/** The table `printList` prints, for a command whose human output holds a table among other lines. */
export function tableText<R>(rows: readonly R[], all: readonly Column<R>[], s: OutputSettings): TableText {
  const columns = all.filter((c) => s.wide || !c.wide)
  return formatTable({
    headers: columns.map((c) => c.header[s.lang]),
    rows: rows.map((r) => columns.map((c) => safeText(c.show ? c.show(r, s.lang) : text(c.value(r))))),
    alignRight: columns.map((c) => c.right === true),
    shrinkFirst: columns.map((c) => c.shrink === true),
    showHeaders: s.headers,
    ...(s.width !== undefined ? { maxWidth: s.width } : {}),
  })
}

function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-'
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** RFC 4180 quoting (LF line ends), every column, raw values; headers in English so scripts do not depend on the locale. */
function csv<R>(rows: readonly R[], columns: readonly Column<R>[], s: OutputSettings): string {
  const lines = rows.map((r) => columns.map((c) => csvCell(c.value(r))).join(','))
  if (s.headers) lines.unshift(columns.map((c) => csvCell(c.header.en)).join(','))
  return lines.map((l) => `${l}\n`).join('')
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  let cell = safeText(typeof value === 'object' ? JSON.stringify(value) : String(value))
  // A remote name such as "=HYPERLINK(...)" must stay text when the file is opened in a spreadsheet.
  if (/^[=+\-@]/.test(cell)) cell = `'${cell}`
  return /[",]|^\s|\s$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell
}
