import { basename } from 'node:path'
import { DUMP_NAME_IN_COPY } from '../../scan/dump-files.js'
import type { StatementObserver } from '../dump-scanner.js'
import { columnsOfCreateTable } from './create-table.js'
import { InsertSyntaxError, InsertValuesParser, type SqlValue } from './insert-values.js'

/** A table of the backup whose rows the drift needs, and which of its columns. */
export interface TrackedTable {
  table: string
  columns: readonly string[]
  /** Keep only rows whose `deleted` column is NULL (what ZStack's `…VO` view shows); the rest cost no memory. */
  liveOnly?: boolean
}

/** The rows of one tracked table, by column name; or why they could not be read. */
export type TableRows = { ok: true; rows: Record<string, SqlValue>[] } | { ok: false; reason: string }

export interface BackupRows {
  tables: Map<string, TableRows>
  /**
   * When the backup was taken (`YYYY-MM-DD HH:MM:SS`, the node's local time), from the name
   * `zstack-ctl dump_mysql` gives the file; null when the name does not carry it.
   */
  takenAt: string | null
}

/** Past this, a table's rows are not kept (memory stays bounded whatever the backup claims). */
export const MAX_TRACKED_ROWS = 1_000_000

/**
 * Watches the backup scanner's single pass (a `StatementObserver`) and keeps the rows of a few `zstack`
 * tables. The column order comes from the `CREATE TABLE` in the same backup (never from what this code
 * expects), and only the wanted columns are decoded. Any table whose text is not what mysqldump writes
 * is marked unreadable with the reason; the scan itself goes on.
 */
export class BackupRowCollector implements StatementObserver {
  private readonly wanted: Map<string, readonly string[]>
  private readonly liveOnly: Set<string>
  private readonly columns = new Map<string, string[]>()
  private readonly tables = new Map<string, TableRows>()

  constructor(
    tracked: readonly TrackedTable[],
    private readonly database = 'zstack',
  ) {
    this.wanted = new Map(tracked.map((t) => [t.table, t.liveOnly ? [...t.columns, 'deleted'] : t.columns]))
    this.liveOnly = new Set(tracked.filter((t) => t.liveOnly).map((t) => t.table))
  }

  onCreateTable(database: string, table: string, statement: Buffer): void {
    if (database !== this.database || !this.wanted.has(table)) return
    try {
      this.columns.set(table, columnsOfCreateTable(statement.toString('utf8')))
    } catch (e) {
      this.tables.set(table, { ok: false, reason: describe(e) })
    }
  }

  /**
   * The statement is read as latin1 (one character per byte, no UTF-8 decoding: the delimiters are
   * ASCII and never part of a multi-byte character); only the kept values are decoded as UTF-8.
   */
  onInsert(database: string, table: string, statement: Buffer): void {
    if (database !== this.database || !this.wanted.has(table)) return
    if (this.tables.get(table)?.ok === false) return
    try {
      const parser = this.parserFor(table)
      parser.push(statement.toString('latin1'))
      parser.end()
    } catch (e) {
      this.tables.set(table, { ok: false, reason: describe(e) })
    }
  }

  /** The rows kept; `file` is the backup's path (its name may carry the time it was taken). */
  result(file: string): BackupRows {
    const tables = new Map(this.tables)
    for (const table of this.wanted.keys())
      if (!tables.has(table))
        tables.set(
          table,
          this.columns.has(table) ? { ok: true, rows: [] } : { ok: false, reason: 'not in the backup' },
        )
    return { tables, takenAt: takenAtFromName(file) }
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
        if (parser.columns !== null && parser.columns.map(utf8).join('`') !== all.join('`'))
          throw new Error('its INSERT lists columns in another order than its CREATE TABLE')
        if (values.length !== all.length)
          throw new Error(`a row has ${values.length} values for ${all.length} columns`)
        this.addRow(table, wanted, positions, values)
      },
      { keep: new Set(positions), maxValueLength: 4096 },
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
    if (this.liveOnly.has(table) && values[positions[positions.length - 1] as number] !== null) return
    if (state.rows.length >= MAX_TRACKED_ROWS) throw new Error(`more than ${MAX_TRACKED_ROWS} rows`)
    const row: Record<string, SqlValue> = {}
    wanted.forEach((c, i) => {
      const value = values[positions[i] as number] ?? null
      row[c] = value === null ? null : utf8(value)
    })
    state.rows.push(row)
  }
}

/** When the backup was taken, from the name `zstack-ctl dump_mysql` gives the file; null if it does not say. */
export function takenAtFromName(file: string): string | null {
  const m = DUMP_NAME_IN_COPY.exec(basename(file))
  return m ? `${m[1]} ${m[2]}:${m[3]}:${m[4]}` : null
}

/**
 * A latin1 value back to its bytes, decoded as UTF-8. It also gives the value its own memory: a slice
 * of the statement would keep the whole statement (up to megabytes) alive.
 */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8')
}

function describe(e: unknown): string {
  if (e instanceof InsertSyntaxError) return `its text is not what mysqldump writes (${e.message})`
  return e instanceof Error ? e.message : String(e)
}
