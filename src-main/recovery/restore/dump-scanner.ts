import { LoadRouter, type Route, restoresSaved, sameRoute } from './load-router.js'
import { type LexedStatement, SqlLexer } from './sql-lexer.js'
import { type Classified, classify, type DumpTrust } from './statement-policy.js'

/**
 * A single streaming pass over a zstack-ctl dump (`mysqldump --databases` output, possibly several
 * concatenated). The lexer splits it into statements as the `mysql` client would; every statement must
 * pass the allow-list (`statement-policy.ts`); what passes is routed to its database and serialised
 * again for the loader, so the loader only ever sees statements that were checked. Along the way:
 *
 * - `USE`, `CREATE DATABASE` and `DROP DATABASE` are consumed (the restore drops and creates itself,
 *   from the validated character set and collation recorded here);
 * - every `DEFINER=user@host` is rewritten to `DEFINER=root@<definerHost>` (as zstack-ctl does);
 * - rows per table, tables, routines and the Flyway `schema_version` versions are recorded;
 * - observers see every accepted INSERT (drift detection reads rows of a few tables in the same pass).
 *
 * Refused statements are collected with their line numbers and an excerpt, never forwarded.
 */

export interface DumpSegment {
  /** Database the bytes belong to; null for the header before the first `USE` (session settings). */
  database: string | null
  /** The database's load session that runs these statements (`load-router.ts`); null for the header. */
  route: Route | null
  data: Buffer
}

/** Sees statements in the scanner's single pass. Keep it cheap: it runs for every INSERT of the dump. */
export interface StatementObserver {
  /**
   * An accepted `INSERT INTO <table>` of `database`; `statement` is its bytes without the delimiter,
   * not decoded (decoding every INSERT of a dump costs more than the scan: an observer decodes the few it reads).
   */
  onInsert?(database: string, table: string, statement: Buffer): void
  /** An accepted `CREATE TABLE <table>` of `database`: the column order of its INSERTs. */
  onCreateTable?(database: string, table: string, statement: Buffer): void
}

export interface DumpScannerOptions {
  /** Host part of the rewritten `DEFINER=root@<host>`. */
  definerHost: string
  /** `backup` (default): the full allow-list; `own-safety-dump`: our dump of the live server. */
  trust?: DumpTrust
  observers?: readonly StatementObserver[]
}

export interface DatabaseSummary {
  /** Every table the dump creates in this database, with the rows its INSERTs add (0 when none). */
  tables: Record<string, number>
  /** Validated `CREATE DATABASE` character set and collation, null when the dump names none. */
  charset: string | null
  collation: string | null
  /** Stored procedures, functions and events, with the session settings written just before each. */
  routines: StoredRoutine[]
  /** First parts of two-part names in bodies (`t.col`, `alias.col`): none may be another database. */
  qualifiers: string[]
}

export interface StoredRoutine {
  type: string
  name: string
  /** Statements to replay in order (session SETs, then the CREATE), each with its delimiter. */
  script: string
}

export interface StatementRefusal {
  line: number
  /** The statement's first characters, control characters and odd spacing shown safely. */
  excerpt: string
  reason: string
}

export interface DumpSummary {
  databases: Record<string, DatabaseSummary>
  /** Highest Flyway version in `zstack`.`schema_version`, null when the dump has none. */
  schemaVersion: string | null
  uncompressedBytes: number
  totalRows: number
  statements: number
  /** The first refused statements (at most MAX_REFUSALS) and how many there were in all. */
  refusals: StatementRefusal[]
  refusedCount: number
  definersRewritten: number
}

const FLYWAY_TABLE = 'schema_version'
const MAX_REFUSALS = 20
const EXCERPT = 160

export class DumpScanner {
  private readonly databases: Record<string, DatabaseSummary> = {}
  private readonly lexer: SqlLexer
  private current: string | null = null
  private bytes = 0
  private rows = 0
  private statements = 0
  private readonly refusals: StatementRefusal[] = []
  private refused = 0
  private definers = 0
  private readonly flywayText: string[] = []
  private readonly definer: string
  private readonly trust: DumpTrust
  private readonly observers: readonly StatementObserver[]
  /** Each database's statements are spread over its load sessions: one router per database. */
  private readonly routers = new Map<string, LoadRouter>()
  /** Session SETs since the last other statement, per database: the context of a routine. */
  private recentSets: string[] = []
  private out = new SegmentBuilder()

  constructor(options: DumpScannerOptions) {
    this.definer = `DEFINER=\`root\`@\`${options.definerHost.replace(/`/g, '``')}\``
    this.trust = options.trust ?? 'backup'
    this.observers = options.observers ?? []
    this.lexer = new SqlLexer((s) => this.statement(s))
  }

  /** Scans a chunk and returns the accepted statements it completed, grouped by database in dump order. */
  push(chunk: Buffer): DumpSegment[] {
    this.bytes += chunk.length
    this.lexer.push(chunk)
    return this.take()
  }

  /** Ends the stream: a last statement without delimiter is handled, and the summary is complete. */
  end(): DumpSegment[] {
    this.lexer.end()
    return this.take()
  }

  get database(): string | null {
    return this.current
  }

  /** Statements refused so far (cheap to ask after every chunk). */
  get refusedCount(): number {
    return this.refused
  }

  /** Bytes the lexer handled: linear in the input, whatever its line lengths. */
  get work(): number {
    return this.lexer.work
  }

  summary(): DumpSummary {
    return {
      databases: this.databases,
      schemaVersion: maxVersion(parseFlywayVersions(this.flywayText.join(''))),
      uncompressedBytes: this.bytes,
      totalRows: this.rows,
      statements: this.statements,
      refusals: this.refusals,
      refusedCount: this.refused,
      definersRewritten: this.definers,
    }
  }

  private take(): DumpSegment[] {
    const segments = this.out.done()
    this.out = new SegmentBuilder()
    return segments
  }

  private statement(s: LexedStatement): void {
    this.statements++
    const verdict = classify(s, { database: this.current, trust: this.trust })
    if (!verdict.ok) {
      this.refused++
      if (this.refusals.length < MAX_REFUSALS)
        this.refusals.push({ line: s.line, excerpt: excerpt(s.text), reason: safeText(verdict.reason, 300) })
      return
    }
    const c = verdict.statement
    switch (c.kind) {
      case 'use':
        this.current = c.name
        this.ensureDatabase(c.name as string)
        this.routerOf(c.name as string).enter()
        this.recentSets = []
        return
      case 'create_database': {
        const d = this.ensureDatabase(c.name as string)
        d.charset = c.charset
        d.collation = c.collation
        return
      }
      case 'drop_database':
        return
    }
    const text = this.rewriteDefiner(s.text, c)
    const db = this.current
    const data = serialise(text, s.delimiter)
    if (db === null) {
      this.out.add(null, null, data)
      return
    }
    this.record(db, c, text, s.delimiter)
    for (const e of this.routerOf(db).route(c, data)) this.out.add(db, e.route, e.data)
  }

  private routerOf(db: string): LoadRouter {
    let router = this.routers.get(db)
    if (!router) {
      router = new LoadRouter()
      this.routers.set(db, router)
    }
    return router
  }

  private record(db: string, c: Classified, text: Buffer, delimiter: string): void {
    const d = this.ensureDatabase(db)
    for (const q of c.qualifiers) if (!d.qualifiers.includes(q)) d.qualifiers.push(q)
    if (c.kind === 'set') {
      // A routine's context is what was set for it; restoring a previous one's saved values
      // (`= @saved_sql_mode`) would read variables a replay session never set.
      const sql = text.toString('utf8')
      if (!restoresSaved(sql)) this.recentSets.push(`${sql}${delimiter || ';'}`)
      return
    }
    const table = c.name as string
    if (c.kind === 'create_table') {
      d.tables[table] ??= 0
      for (const o of this.observers) o.onCreateTable?.(db, table, text)
    }
    // A table the dump drops again is not in the restored database: the placeholder tables an older
    // mysqldump (MariaDB 5.5, MySQL 5.x) creates for each view and drops before the view itself.
    if (c.kind === 'drop_object' && c.objectType === 'TABLE' && table in d.tables) {
      this.rows -= d.tables[table] ?? 0
      delete d.tables[table]
    }
    if (c.kind === 'create_routine' || c.kind === 'create_event') {
      const body = text.toString('utf8')
      d.routines.push({
        type: c.objectType as string,
        name: table,
        script: `${this.recentSets.join('\n')}\nDELIMITER ;;\n${body};;\nDELIMITER ;\n`,
      })
    }
    if (c.kind === 'insert') {
      this.rows += c.rows
      d.tables[table] = (d.tables[table] ?? 0) + c.rows
      if (table === FLYWAY_TABLE && db === 'zstack') this.flywayText.push(text.toString('utf8'))
      for (const o of this.observers) o.onInsert?.(db, table, text)
    }
    this.recentSets = []
  }

  private rewriteDefiner(text: Buffer, c: Classified): Buffer {
    if (!c.definer) return text
    this.definers++
    const [from, to] = c.definer
    return Buffer.concat([text.subarray(0, from), Buffer.from(this.definer), text.subarray(to)])
  }

  private ensureDatabase(name: string): DatabaseSummary {
    this.databases[name] ??= { tables: {}, charset: null, collation: null, routines: [], qualifiers: [] }
    return this.databases[name]
  }
}

/**
 * An accepted statement as the loader gets it. Each is whole on its own (a non-default delimiter is
 * set and reset around it), because the statements of one database go to several sessions.
 */
function serialise(text: Buffer, delimiter: string): Buffer {
  const want = delimiter || ';'
  if (want === ';') return Buffer.concat([text, SEMICOLON])
  return Buffer.concat([Buffer.from(`DELIMITER ${want}\n`), text, Buffer.from(`${want}\nDELIMITER ;\n`)])
}

const SEMICOLON = Buffer.from(';\n')

/** Joins consecutive statements bound for the same session of the same database so callers write large buffers. */
class SegmentBuilder {
  private readonly segments: DumpSegment[] = []
  private parts: Buffer[] = []
  private database: string | null | undefined = undefined
  private route: Route | null = null

  add(database: string | null, route: Route | null, data: Buffer): void {
    if (database !== this.database || !sameRoute(route, this.route)) this.flush()
    this.database = database
    this.route = route
    this.parts.push(data)
  }

  done(): DumpSegment[] {
    this.flush()
    return this.segments
  }

  private flush(): void {
    if (this.parts.length > 0 && this.database !== undefined) {
      const data = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts)
      this.segments.push({ database: this.database, route: this.route, data })
    }
    this.parts = []
  }
}

/** A statement's start for a refusal message: whitespace runs folded, control and format characters shown as `\\xNN`/`\\uNNNN`. */
export function excerpt(text: Buffer): string {
  const head = text.toString('utf8', 0, Math.min(text.length, EXCERPT * 4))
  return safeText(head, EXCERPT, text.length > EXCERPT * 4)
}

/** Text from a backup made safe to show: spacing folded, unsafe characters escaped, at most `max` characters. */
function safeText(text: string, max: number, cut = false): string {
  const chars: string[] = []
  let space = false
  for (const ch of text.trim()) {
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      space = true
      continue
    }
    if (space) chars.push(' ')
    space = false
    chars.push(unsafeChar(ch.codePointAt(0) as number) ? escapeChar(ch.codePointAt(0) as number) : ch)
    if (chars.length > max) break
  }
  return chars.length > max || cut ? `${chars.slice(0, max).join('')}…` : chars.join('')
}

/** C0/C1 controls, DEL, zero-width and bidirectional format characters, BOM. */
function unsafeChar(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x2028 && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0xfeff
  )
}

function escapeChar(c: number): string {
  return c < 0x100 ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`
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
