/**
 * A single streaming pass over a zstack-ctl dump (`mysqldump --databases` output, possibly several
 * concatenated). It does, line by line and without holding the dump in memory, what zstack-ctl's
 * `sed` pipeline does, and records what verification needs:
 *
 * - drops the dump's `DROP DATABASE` / `CREATE DATABASE` lines (the restore drops and creates itself);
 * - rewrites every `DEFINER=`user`@`host`` to `DEFINER=`root`@`<definerHost>``;
 * - routes each line to the database it belongs to (`USE` lines switch; mysqldump returns to a database
 *   for its views after dumping the next one, so routing is by `USE`, not by position);
 * - counts the rows each `INSERT` adds per table, records which tables the dump creates, and collects
 *   the Flyway `schema_version` versions.
 *
 * Unlike sed, the rewrites apply only outside INSERT statements, so a row whose text happens to contain
 * "DROP DATABASE IF EXISTS" or "DEFINER=" is restored exactly as it was dumped.
 */

export interface DumpSegment {
  /** Database the bytes belong to; null for the header before the first `USE` (session settings). */
  database: string | null
  data: Buffer
}

export interface DatabaseSummary {
  /** Every table the dump creates in this database, with the rows its INSERTs add (0 when none). */
  tables: Record<string, number>
  /** The dump's `CREATE DATABASE` options (character set, collation), when present. */
  createOptions: string | null
}

export interface DumpSummary {
  databases: Record<string, DatabaseSummary>
  /** Highest Flyway version in `zstack`.`schema_version`, null when the dump has none. */
  schemaVersion: string | null
  uncompressedBytes: number
  totalRows: number
}

/** Sees the scan's single pass: the restore drift reads a few tables' rows from it (never runs them). */
export interface DumpObserver {
  /** Each line outside INSERT statements, with the database in use. */
  controlLine(database: string | null, text: string): void
  /** A part (a line) of an INSERT statement into `table`; `end` on its last part. */
  insertPart(database: string | null, table: string, part: Buffer, end: boolean): void
}

const NL = 0x0a
const QUOTE = 0x27
const BACKSLASH = 0x5c
const OPEN = 0x28
const CLOSE = 0x29
const SEMI = 0x3b
const INSERT_PREFIX = Buffer.from('INSERT INTO `')
const FLYWAY_TABLE = 'schema_version'

const USE_LINE = /^USE `([^`]+)`;\s*$/
const CREATE_DATABASE =
  /^CREATE DATABASE (?:\/\*!32312 IF NOT EXISTS\*\/ |IF NOT EXISTS )?`([^`]+)`(.*?);?\s*$/
const DROP_DATABASE = /DROP DATABASE IF EXISTS/
const CREATE_TABLE = /^CREATE TABLE `([^`]+)`/
const DEFINER = /DEFINER=`(?:[^`]|``)*`@`(?:[^`]|``)*`/g

export class DumpScanner {
  private readonly databases: Record<string, DatabaseSummary> = {}
  private current: string | null = null
  private carry: Buffer | null = null
  private bytes = 0
  private rows = 0
  // State of the INSERT statement being scanned; it may span many lines (MariaDB 10.11 writes a row per line).
  private insertTable: string | null = null
  private inQuote = false
  private escaped = false
  private depth = 0
  private readonly flywayText: string[] = []
  private readonly definer: string

  constructor(
    definerHost: string,
    private readonly observer: DumpObserver | null = null,
  ) {
    this.definer = `DEFINER=\`root\`@\`${definerHost.replace(/`/g, '``')}\``
  }

  /** Scans a chunk and returns its bytes (rewritten where needed), grouped by database in dump order. */
  push(chunk: Buffer): DumpSegment[] {
    this.bytes += chunk.length
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk
    this.carry = null
    const out = new SegmentBuilder()
    let start = 0
    while (start < buf.length) {
      const nl = buf.indexOf(NL, start)
      if (nl === -1) {
        this.carry = Buffer.from(buf.subarray(start))
        break
      }
      this.line(buf.subarray(start, nl + 1), out)
      start = nl + 1
    }
    return out.done()
  }

  /** Ends the stream: a last line without newline is processed, and the summary is complete. */
  end(): DumpSegment[] {
    const out = new SegmentBuilder()
    if (this.carry) this.line(this.carry, out)
    this.carry = null
    return out.done()
  }

  get database(): string | null {
    return this.current
  }

  summary(): DumpSummary {
    return {
      databases: this.databases,
      schemaVersion: maxVersion(parseFlywayVersions(this.flywayText.join(''))),
      uncompressedBytes: this.bytes,
      totalRows: this.rows,
    }
  }

  private line(line: Buffer, out: SegmentBuilder): void {
    if (this.insertTable !== null) {
      const table = this.insertTable
      this.scanValues(line, 0)
      this.observer?.insertPart(this.current, table, line, this.insertTable === null)
      out.add(this.current, line)
      return
    }
    if (line.length > INSERT_PREFIX.length && line.subarray(0, INSERT_PREFIX.length).equals(INSERT_PREFIX)) {
      const end = line.indexOf(0x60, INSERT_PREFIX.length)
      const table = line.toString('utf8', INSERT_PREFIX.length, end)
      this.insertTable = table
      this.inQuote = false
      this.escaped = false
      this.depth = 0
      this.scanValues(line, end + 1)
      this.observer?.insertPart(this.current, table, line, this.insertTable === null)
      out.add(this.current, line)
      return
    }
    this.control(line.toString('utf8'), out)
  }

  /** Counts top-level `(` of a VALUES list; quotes and backslash escapes keep text in rows from counting. */
  private scanValues(line: Buffer, from: number): void {
    const table = this.insertTable as string
    const flyway = table === FLYWAY_TABLE && this.current === 'zstack'
    if (flyway) this.flywayText.push(line.toString('utf8', from))
    let added = 0
    for (let i = from; i < line.length; i++) {
      const b = line[i]
      if (this.inQuote) {
        if (this.escaped) this.escaped = false
        else if (b === BACKSLASH) this.escaped = true
        else if (b === QUOTE) this.inQuote = false
      } else if (b === QUOTE) this.inQuote = true
      else if (b === OPEN) {
        if (this.depth === 0) added++
        this.depth++
      } else if (b === CLOSE) this.depth--
      else if (b === SEMI && this.depth === 0) {
        this.insertTable = null
        break
      }
    }
    this.rows += added
    const tables = this.tablesOf(this.current)
    tables[table] = (tables[table] ?? 0) + added
  }

  private control(text: string, out: SegmentBuilder): void {
    this.observer?.controlLine(this.current, text)
    const use = USE_LINE.exec(text)
    if (use) {
      this.current = use[1] as string
      this.ensureDatabase(this.current)
      out.add(this.current, Buffer.from(text))
      return
    }
    const create = CREATE_DATABASE.exec(text)
    if (create) {
      this.ensureDatabase(create[1] as string).createOptions = stripVersionComments(create[2] ?? '')
      return
    }
    if (DROP_DATABASE.test(text)) return
    const table = CREATE_TABLE.exec(text)
    if (table) {
      const tables = this.tablesOf(this.current)
      tables[table[1] as string] ??= 0
    }
    out.add(this.current, Buffer.from(text.includes('DEFINER=') ? text.replace(DEFINER, this.definer) : text))
  }

  private ensureDatabase(name: string): DatabaseSummary {
    this.databases[name] ??= { tables: {}, createOptions: null }
    return this.databases[name]
  }

  private tablesOf(database: string | null): Record<string, number> {
    return this.ensureDatabase(database ?? '').tables
  }
}

/** Joins consecutive lines of the same database so callers write large buffers, not lines. */
class SegmentBuilder {
  private readonly segments: DumpSegment[] = []
  private parts: Buffer[] = []
  private database: string | null | undefined = undefined

  add(database: string | null, data: Buffer): void {
    if (database !== this.database) this.flush()
    this.database = database
    this.parts.push(data)
  }

  done(): DumpSegment[] {
    this.flush()
    return this.segments
  }

  private flush(): void {
    if (this.parts.length > 0 && this.database !== undefined) {
      const data = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts)
      this.segments.push({ database: this.database, data })
    }
    this.parts = []
  }
}

/** `/*!40100 DEFAULT CHARACTER SET utf8 *\/` → `DEFAULT CHARACTER SET utf8`. */
function stripVersionComments(text: string): string {
  return text
    .replace(/\/\*!\d+\s*(.*?)\s*\*\//g, '$1')
    .replace(/;\s*$/, '')
    .trim()
}

/** The second column of each `schema_version` row: `(rank,'version','description',...)`. */
export function parseFlywayVersions(values: string): string[] {
  const versions: string[] = []
  const re = /\(\s*\d+\s*,\s*(NULL|'((?:[^'\\]|\\.)*)')/g
  for (let m = re.exec(values); m; m = re.exec(values)) if (m[2] !== undefined) versions.push(m[2])
  return versions
}

/** Compares dotted versions numerically (`2.3.1.2` < `2.10`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0)
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

export function maxVersion(versions: string[]): string | null {
  return versions.reduce<string | null>(
    (max, v) => (max === null || compareVersions(v, max) > 0 ? v : max),
    null,
  )
}
