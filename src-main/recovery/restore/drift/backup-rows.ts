import { InsertSyntaxError, InsertValuesParser, type SqlValue, unquoteName } from './insert-values.js'

/** A table of the backup whose rows the drift needs, and which of its columns. */
export interface TrackedTable {
  table: string
  columns: readonly string[]
}

/** The rows of one tracked table, by column name; or why they could not be read. */
export type TableRows = { ok: true; rows: Record<string, SqlValue>[] } | { ok: false; reason: string }

export interface BackupRows {
  tables: Map<string, TableRows>
  /** mysqldump's `-- Dump completed on …` of the first dump (`YYYY-MM-DD HH:MM:SS`), local time of the host that ran it. */
  dumpCompletedAt: string | null
}

/** Past this, a table's rows are not kept (memory stays bounded whatever the backup claims). */
export const MAX_TRACKED_ROWS = 1_000_000
const CREATE_TABLE = /^CREATE TABLE `((?:[^`]|``)+)` \(/
const COLUMN_LINE = /^\s*(`(?:[^`]|``)+`)\s/
/** mysqldump pads the hour with a space (`%04d-%02d-%02d %2d:%02d:%02d`). */
const DUMP_COMPLETED = /^-- Dump completed on (\d{4}-\d\d-\d\d) +(\d{1,2}):(\d\d:\d\d)\s*$/

/**
 * Watches the backup scanner's single pass and keeps the rows of a few `zstack` tables. The column
 * order comes from the `CREATE TABLE` in the same backup (never from what this code expects), and only
 * the wanted columns are decoded. Any table whose text is not what mysqldump writes is marked
 * unreadable with the reason; the scan itself goes on.
 */
export class BackupRowCollector {
  private readonly wanted: Map<string, readonly string[]>
  private readonly columns = new Map<string, string[]>()
  private readonly tables = new Map<string, TableRows>()
  private creating: { table: string; lines: string[] } | null = null
  private insert: { table: string; parser: InsertValuesParser } | null = null
  private dumpCompletedAt: string | null = null

  constructor(
    tracked: readonly TrackedTable[],
    private readonly database = 'zstack',
  ) {
    this.wanted = new Map(tracked.map((t) => [t.table, t.columns]))
  }

  /** A line outside INSERT statements (as the scanner sees it): CREATE TABLE bodies, comments. */
  controlLine(database: string | null, text: string): void {
    if (this.creating) {
      if (COLUMN_LINE.test(text)) this.creating.lines.push(text)
      else if (/^\s*\)/.test(text)) this.createTable(database, this.creating.table, this.creating.lines)
      else return
      return
    }
    const create = CREATE_TABLE.exec(text)
    if (create && database === this.database) {
      const table = unquoteName(`\`${create[1] as string}\``)
      if (this.wanted.has(table)) this.creating = { table, lines: [] }
      return
    }
    const completed = DUMP_COMPLETED.exec(text)
    if (completed && this.dumpCompletedAt === null)
      this.dumpCompletedAt = `${completed[1]} ${(completed[2] as string).padStart(2, '0')}:${completed[3]}`
  }

  /** A part of an `INSERT INTO `table`` statement; `end` is true on its last part. */
  insertPart(database: string | null, table: string, part: Buffer, end: boolean): void {
    if (database !== this.database || !this.wanted.has(table)) return
    const state = this.tables.get(table)
    if (state && !state.ok) return
    try {
      if (!this.insert || this.insert.table !== table) this.insert = { table, parser: this.parserFor(table) }
      this.insert.parser.push(part)
      if (end) {
        this.insert.parser.end()
        this.insert = null
      }
    } catch (e) {
      this.insert = null
      this.tables.set(table, { ok: false, reason: describe(e) })
    }
  }

  result(): BackupRows {
    const tables = new Map(this.tables)
    for (const table of this.wanted.keys())
      if (!tables.has(table))
        tables.set(
          table,
          this.columns.has(table) ? { ok: true, rows: [] } : { ok: false, reason: 'not in the backup' },
        )
    return { tables, dumpCompletedAt: this.dumpCompletedAt }
  }

  private createTable(database: string | null, table: string, lines: string[]): void {
    this.creating = null
    if (database !== this.database) return
    this.columns.set(
      table,
      lines.map((l) => unquoteName((COLUMN_LINE.exec(l) as RegExpExecArray)[1] as string)),
    )
  }

  private parserFor(table: string): InsertValuesParser {
    const all = this.columns.get(table)
    if (!all) throw new Error('rows come before the CREATE TABLE that names their columns')
    const wanted = this.wanted.get(table) as readonly string[]
    const missing = wanted.filter((c) => !all.includes(c))
    if (missing.length > 0) throw new Error(`the backup's table has no column ${missing.join(', ')}`)
    const positions = wanted.map((c) => all.indexOf(c))
    const parser = new InsertValuesParser(
      (values) => {
        if (parser.columns !== null && parser.columns.join('`') !== all.join('`'))
          throw new Error('its INSERT lists columns in another order than its CREATE TABLE')
        if (values.length !== all.length)
          throw new Error(`a row has ${values.length} values for ${all.length} columns`)
        this.addRow(table, wanted, positions, values)
      },
      { keep: new Set(positions), maxValueBytes: 4096 },
    )
    return parser
  }

  private addRow(table: string, wanted: readonly string[], positions: number[], values: SqlValue[]): void {
    let state = this.tables.get(table)
    if (!state) {
      state = { ok: true, rows: [] }
      this.tables.set(table, state)
    }
    if (!state.ok) return
    if (state.rows.length >= MAX_TRACKED_ROWS) throw new Error(`more than ${MAX_TRACKED_ROWS} rows`)
    const row: Record<string, SqlValue> = {}
    wanted.forEach((c, i) => {
      row[c] = values[positions[i] as number] ?? null
    })
    state.rows.push(row)
  }
}

function describe(e: unknown): string {
  if (e instanceof InsertSyntaxError) return `its INSERT text is not what mysqldump writes (${e.message})`
  return e instanceof Error ? e.message : String(e)
}
