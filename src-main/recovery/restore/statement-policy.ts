import { type LexedStatement, Tok } from './sql-lexer.js'

/**
 * The allow-list a backup's statements must pass: only what `mysqldump --databases` writes for the
 * ZStack management databases. A backup is data from another machine; whatever else it holds (client
 * commands, users and grants, other databases, files, server settings) refuses the whole backup.
 */
export const MANAGEMENT_DATABASES = ['zstack', 'zstack_rest', 'zstack_ui'] as const

/**
 * Events ZStack's own schema creates: none. (`/work/shared/zstack-schema-3.0.0/` and its upgrade
 * scripts have no `CREATE EVENT`; grep them again when a newer schema is added.)
 */
const ZSTACK_EVENTS: ReadonlySet<string> = new Set()

/** Whose dump this is: a backup is checked in full; our own safety dump of the live server is not
 * restricted in what its routines do (it brings back what was there), but it is still lexed. */
export type DumpTrust = 'backup' | 'own-safety-dump'

export type StatementKind =
  | 'set'
  | 'use'
  | 'create_database'
  | 'drop_database'
  | 'drop_object'
  | 'create_table'
  | 'create_view'
  | 'create_trigger'
  | 'create_routine'
  | 'create_event'
  | 'lock_tables'
  | 'unlock_tables'
  | 'alter_keys'
  | 'insert'

export interface Classified {
  kind: StatementKind
  /** `use`, `create_database`, `drop_database`: the database; `insert`, `create_*`: the object's name. */
  name: string | null
  /** `insert`: rows it adds. */
  rows: number
  /** `create_database`: validated charset and collation (null when the dump names none). */
  charset: string | null
  collation: string | null
  /** `create_routine` / `create_event`: PROCEDURE, FUNCTION or EVENT; `drop_object`: what it drops (TABLE, VIEW, ...). */
  objectType: string | null
  /** `create_trigger`: the table it is ON (null when our own safety dump's trigger could not be read). */
  table: string | null
  /** `create_table`: the storage engine it names, lower case (null when it names none). */
  engine: string | null
  /** Byte span of a `DEFINER = user@host` clause, to be rewritten. */
  definer: [number, number] | null
  /** First parts of `a.b` names (tables, aliases, databases): checked against the live server's databases. */
  qualifiers: string[]
}

export type Verdict = { ok: true; statement: Classified } | { ok: false; reason: string }

/** Words that never appear, outside quotes and backticks, in anything mysqldump writes for ZStack. */
const FORBIDDEN_WORDS = new Set([
  'load_file',
  'outfile',
  'dumpfile',
  'infile',
  'load',
  'grant',
  'revoke',
  'user',
  'role',
  'password',
  'identified',
  'prepare',
  'execute',
  'deallocate',
  'install',
  'uninstall',
  'plugin',
  'soname',
  'shutdown',
  'kill',
  'flush',
  'reset',
  'purge',
  'master',
  'slave',
  'replica',
  'binlog',
  'global',
  'server',
  'database',
  'schema',
  'databases',
  'schemas',
  'system',
  'tablespace',
  'directory',
  'connection',
  'change',
  'start',
  'stop',
  'instance',
  'sql_log_bin',
  'sys_exec',
  'sys_eval',
])
/** Databases no statement may name, whatever the server holds. */
const SYSTEM_DATABASES = new Set(['mysql', 'information_schema', 'performance_schema', 'sys'])
/** Words after which an `a.b` is a table (or routine) of database `a`. */
const TABLE_POSITION = new Set(['from', 'join', 'into', 'update', 'table', 'references', 'call', 'truncate'])
const ENGINES = new Set(['innodb', 'myisam', 'aria', 'memory', 'heap'])
const CHARSETS = new Set(['utf8', 'utf8mb3', 'utf8mb4', 'latin1', 'ascii', 'binary'])
const COLLATION = /^(utf8|utf8mb3|utf8mb4|latin1|ascii)_[a-z0-9_]{1,40}$|^binary$/
/** Session variables mysqldump sets, with what each may be set to. */
const SESSION_VARIABLES: Record<string, 'charset' | 'collation' | 'sql_mode' | 'time_zone' | 'flag'> = {
  character_set_client: 'charset',
  character_set_results: 'charset',
  collation_connection: 'collation',
  sql_mode: 'sql_mode',
  time_zone: 'time_zone',
  unique_checks: 'flag',
  foreign_key_checks: 'flag',
  sql_notes: 'flag',
  note_verbosity: 'flag',
}
/**
 * sql_mode flags a dump may set. NO_BACKSLASH_ESCAPES and ANSI_QUOTES (and the modes that imply them)
 * are missing on purpose: they change how the client and the server read quotes.
 */
const SQL_MODE_FLAGS = new Set([
  '',
  'no_auto_value_on_zero',
  'strict_trans_tables',
  'strict_all_tables',
  'no_zero_in_date',
  'no_zero_date',
  'error_for_division_by_zero',
  'no_auto_create_user',
  'no_engine_substitution',
  'only_full_group_by',
  'ignore_space',
  'no_unsigned_subtraction',
  'no_dir_in_create',
  'pipes_as_concat',
  'real_as_float',
  'high_not_precedence',
  'pad_char_to_full_length',
  'simultaneous_assignment',
  'time_round_fractional',
  'no_key_options',
  'no_table_options',
  'no_field_options',
])

/** A statement's tokens, executable-comment markers left out, with their text at hand. */
class View {
  readonly idx: number[] = []
  constructor(
    readonly s: LexedStatement,
    max = Number.POSITIVE_INFINITY,
  ) {
    const t = s.tokens
    for (let i = 0; i < t.length && this.idx.length < max; i++) {
      const k = t.kinds[i]
      if (k !== Tok.VersionOpen && k !== Tok.VersionClose) this.idx.push(i)
    }
  }
  get length(): number {
    return this.idx.length
  }
  kind(n: number): Tok | undefined {
    const i = this.idx[n]
    return i === undefined ? undefined : (this.s.tokens.kinds[i] as Tok)
  }
  raw(n: number): string {
    const i = this.idx[n]
    if (i === undefined) return ''
    return this.s.text.toString('utf8', this.s.tokens.starts[i], this.s.tokens.ends[i])
  }
  /** A word, lower-cased; '' for anything else. */
  word(n: number): string {
    return this.kind(n) === Tok.Word ? this.raw(n).toLowerCase() : ''
  }
  punct(n: number): string {
    return this.kind(n) === Tok.Punct ? this.raw(n) : ''
  }
  /** A name: a bare word or a backticked identifier, unquoted. */
  name(n: number): string | null {
    const k = this.kind(n)
    if (k === Tok.Word) return this.raw(n)
    if (k === Tok.Ident) return this.raw(n).slice(1, -1).replace(/``/g, '`')
    return null
  }
  /** A quoted text's value (escapes resolved well enough for the short values checked here). */
  text(n: number): string | null {
    if (this.kind(n) !== Tok.Text) return null
    return this.raw(n).slice(1, -1).replace(/\\(.)/g, '$1').replace(/''/g, "'")
  }
  start(n: number): number {
    return this.s.tokens.starts[this.idx[n] as number] as number
  }
  end(n: number): number {
    return this.s.tokens.ends[this.idx[n] as number] as number
  }
  adjacent(a: number, b: number): boolean {
    return this.end(a) === this.start(b)
  }
}

export interface PolicyContext {
  /** The database selected by the last `USE`, null before the first. */
  database: string | null
  trust: DumpTrust
}

/** Decides one statement. Lexical problems (client commands, odd quoting) refuse it first. */
export function classify(s: LexedStatement, ctx: PolicyContext): Verdict {
  if (s.problems.length > 0) return refuse(s.problems.join('; '))
  if (s.tokens.length === 0) return refuse('empty statement')
  const head = new View(s, 24)
  const first = head.word(0)
  if (first === 'insert') return insert(s, ctx)
  const v = new View(s)
  switch (first) {
    case 'set':
      return setStatement(v)
    case 'use':
      return use(v)
    case 'create':
      return create(v, ctx)
    case 'drop':
      return drop(v, ctx)
    case 'lock':
      return lockTables(v, ctx)
    case 'unlock':
      return v.length === 2 && v.word(1) === 'tables' ? ok('unlock_tables') : refuse('not UNLOCK TABLES')
    case 'alter':
      return alterKeys(v, ctx)
    default:
      return refuse(`"${first || v.raw(0)}" statements are not written by mysqldump`)
  }
}

function ok(kind: StatementKind, fields: Partial<Classified> = {}): Verdict {
  return {
    ok: true,
    statement: {
      kind,
      name: null,
      rows: 0,
      charset: null,
      collation: null,
      objectType: null,
      table: null,
      engine: null,
      definer: null,
      qualifiers: [],
      ...fields,
    },
  }
}

function refuse(reason: string): Verdict {
  return { ok: false, reason }
}

function needDatabase(ctx: PolicyContext): string | null {
  return ctx.database === null ? 'no database selected by USE before it' : null
}

/** `name` or `` `db`.`name` `` of the database in use, at token `n`; returns the name and the next index. */
function objectName(v: View, n: number, ctx: PolicyContext): { name: string; next: number } | string {
  const first = v.name(n)
  if (first === null) return `a name expected at "${v.raw(n)}"`
  if (v.punct(n + 1) !== '.') return { name: first, next: n + 1 }
  const second = v.name(n + 2)
  if (second === null) return `a name expected after "${first}."`
  if (first !== ctx.database) return `names an object of another database: ${first}.${second}`
  return { name: second, next: n + 3 }
}

function use(v: View): Verdict {
  const db = v.name(1)
  if (v.length !== 2 || db === null) return refuse('USE must name one database')
  if (!(MANAGEMENT_DATABASES as readonly string[]).includes(db))
    return refuse(`USE of a database other than ${MANAGEMENT_DATABASES.join(', ')}: ${db}`)
  return ok('use', { name: db })
}

function setStatement(v: View): Verdict {
  let n = 1
  for (;;) {
    const r = assignment(v, n)
    if (typeof r === 'string') return refuse(r)
    n = r
    if (n === v.length) return ok('set')
    if (v.punct(n) !== ',') return refuse(`unexpected "${v.raw(n)}" in SET`)
    n++
  }
}

/** One `SET` assignment from token `n`; returns the index after it, or why it is refused. */
function assignment(v: View, n: number): number | string {
  if (v.word(n) === 'names') {
    const cs = (v.name(n + 1) ?? v.text(n + 1) ?? '').toLowerCase()
    if (!CHARSETS.has(cs)) return `SET NAMES ${v.raw(n + 1)} (only ${[...CHARSETS].join(', ')})`
    if (v.word(n + 2) !== 'collate') return n + 2
    const coll = (v.name(n + 3) ?? v.text(n + 3) ?? '').toLowerCase()
    return COLLATION.test(coll) ? n + 4 : `collation ${v.raw(n + 3)}`
  }
  // A user variable saves a session value: `@saved = @@character_set_client`.
  if (v.punct(n) === '@' && v.punct(n + 1) !== '@') {
    if (v.name(n + 1) === null || !v.adjacent(n, n + 1)) return 'a user variable expected after @'
    if (v.punct(n + 2) !== '=') return '"=" expected'
    const sys = sessionVariable(v, n + 3)
    if (typeof sys === 'string') return sys
    if (sys.next === n + 3) return 'a user variable may only save a session variable'
    return sys.next
  }
  const target = sessionVariable(v, n, true)
  if (typeof target === 'string') return target
  if (target.name === null) return `SET of "${v.raw(n)}"`
  let m = target.next
  if (v.punct(m) !== '=') return '"=" expected'
  m++
  // A saved value comes back: `= @saved`.
  if (v.punct(m) === '@' && v.name(m + 1) !== null && v.adjacent(m, m + 1) && v.punct(m + 2) !== '@')
    return m + 2
  const value = v.text(m) ?? v.name(m)
  if (value === null) return `value of ${target.name}`
  const rule = SESSION_VARIABLES[target.name] as string
  const lower = value.toLowerCase()
  const good =
    rule === 'charset'
      ? CHARSETS.has(lower)
      : rule === 'collation'
        ? COLLATION.test(lower)
        : rule === 'sql_mode'
          ? v.kind(m) === Tok.Text && lower.split(',').every((f) => SQL_MODE_FLAGS.has(f.trim()))
          : rule === 'time_zone'
            ? v.kind(m) === Tok.Text && /^([+-]\d{1,2}:\d{2}|system)$/.test(lower)
            : /^[01]$/.test(lower)
  return good ? m + 1 : `${target.name} = ${value.slice(0, 60)}`
}

/**
 * `@@name`, `@@SESSION.name`, `SESSION name` or a bare `name` (the last two only as a target) of an
 * allowed session variable. Returns `name: null, next: n` when there is none at `n`.
 */
function sessionVariable(v: View, n: number, bare = false): { name: string | null; next: number } | string {
  let m = n
  const at = v.punct(m) === '@' && v.punct(m + 1) === '@'
  if (at) m += 2
  if (!at && !bare) return { name: null, next: n }
  let word = v.word(m)
  if (at && (word === 'session' || word === 'local') && v.punct(m + 1) === '.') {
    m += 2
    word = v.word(m)
  } else if (!at && (word === 'session' || word === 'local')) {
    m++
    word = v.word(m)
  }
  if (word === 'global' || (at && v.word(n + 2) === 'global')) return 'SET GLOBAL'
  if (!word) return { name: null, next: n }
  if (!(word in SESSION_VARIABLES)) return `SET of the server variable ${word}`
  return { name: word, next: m + 1 }
}

function create(v: View, ctx: PolicyContext): Verdict {
  const what = v.word(1)
  if (what === 'database' || what === 'schema') return createDatabase(v)
  const missing = needDatabase(ctx)
  if (missing) return refuse(missing)
  if (what === 'table') return createTable(v, ctx)
  // CREATE [OR REPLACE] [ALGORITHM=x] [DEFINER=u@h] [SQL SECURITY x] VIEW|TRIGGER|PROCEDURE|FUNCTION|EVENT
  let n = 1
  let definer: [number, number] | null = null
  for (;;) {
    const w = v.word(n)
    if (w === 'or' && v.word(n + 1) === 'replace') n += 2
    else if (w === 'algorithm' && v.punct(n + 1) === '=' && v.kind(n + 2) === Tok.Word) n += 3
    else if (w === 'sql' && v.word(n + 1) === 'security' && v.kind(n + 2) === Tok.Word) n += 3
    else if (w === 'definer') {
      const d = definerClause(v, n)
      if (typeof d === 'string') return refuse(d)
      definer = [v.start(n), v.end(d - 1)]
      n = d
    } else break
  }
  const type = v.word(n)
  const kinds: Record<string, StatementKind> = {
    view: 'create_view',
    trigger: 'create_trigger',
    procedure: 'create_routine',
    function: 'create_routine',
    event: 'create_event',
  }
  const kind = kinds[type]
  if (!kind) return refuse(`CREATE ${v.raw(n)}`)
  const named = objectName(v, n + 1, ctx)
  if (typeof named === 'string') return refuse(named)
  if (kind === 'create_event' && ctx.trust === 'backup' && !ZSTACK_EVENTS.has(named.name))
    return refuse(`event ${named.name}: ZStack's schema defines no such event`)
  // A trigger is BEFORE|AFTER INSERT|UPDATE|DELETE ON <table of this database>: it loads with that table.
  const on = kind === 'create_trigger' ? triggerTable(v, named.next, ctx) : null
  const fields = { name: named.name, definer, objectType: type.toUpperCase(), table: on?.table ?? null }
  if (ctx.trust === 'own-safety-dump') return ok(kind, fields)
  if (on?.problem) return refuse(on.problem)
  const body = checkBody(v, named.next, ctx)
  if (typeof body === 'string') return refuse(body)
  return ok(kind, { ...fields, qualifiers: body })
}

function triggerTable(
  v: View,
  afterName: number,
  ctx: PolicyContext,
): { table: string | null; problem: string | null } {
  const on = objectName(v, afterName + 3, ctx)
  if (v.word(afterName + 2) !== 'on') return { table: null, problem: 'trigger without ON <table>' }
  return typeof on === 'string' ? { table: null, problem: on } : { table: on.name, problem: null }
}

/** `DEFINER = user@host` or `DEFINER = CURRENT_USER[()]` from `n`; returns the index after it. */
function definerClause(v: View, n: number): number | string {
  if (v.punct(n + 1) !== '=') return 'DEFINER without "="'
  if (v.word(n + 2) === 'current_user')
    return v.punct(n + 3) === '(' && v.punct(n + 4) === ')' ? n + 5 : n + 3
  const user = v.name(n + 2) ?? v.text(n + 2)
  if (user === null || v.punct(n + 3) !== '@') return 'DEFINER must be user@host'
  if ((v.name(n + 4) ?? v.text(n + 4)) === null) return 'DEFINER must be user@host'
  return n + 5
}

function createDatabase(v: View): Verdict {
  let n = 2
  if (v.word(n) === 'if' && v.word(n + 1) === 'not' && v.word(n + 2) === 'exists') n += 3
  const db = v.name(n)
  if (db === null || !(MANAGEMENT_DATABASES as readonly string[]).includes(db))
    return refuse(`CREATE DATABASE of ${v.raw(n)} (only ${MANAGEMENT_DATABASES.join(', ')})`)
  n++
  let charset: string | null = null
  let collation: string | null = null
  while (n < v.length) {
    if (v.word(n) === 'default') n++
    const w = v.word(n)
    let value: number
    if (w === 'charset') value = n + 1
    else if (w === 'character' && v.word(n + 1) === 'set') value = n + 2
    else if (w === 'collate') value = n + 1
    else return refuse(`CREATE DATABASE option "${v.raw(n)}"`)
    if (v.punct(value) === '=') value++
    const given = (v.name(value) ?? '').toLowerCase()
    if (w === 'collate') {
      if (!COLLATION.test(given)) return refuse(`collation ${v.raw(value)}`)
      collation = given
    } else {
      if (!CHARSETS.has(given)) return refuse(`character set ${v.raw(value)}`)
      charset = given
    }
    n = value + 1
  }
  return ok('create_database', { name: db, charset, collation })
}

function createTable(v: View, ctx: PolicyContext): Verdict {
  let n = 2
  if (v.word(n) === 'if' && v.word(n + 1) === 'not' && v.word(n + 2) === 'exists') n += 3
  const named = objectName(v, n, ctx)
  if (typeof named === 'string') return refuse(named)
  if (v.punct(named.next) !== '(') return refuse('CREATE TABLE without a column list')
  let engine: string | null = null
  for (let i = named.next; i < v.length; i++) {
    const w = v.word(i)
    if (w === 'select' || w === 'like' || w === 'union')
      return refuse(`CREATE TABLE ... ${w.toUpperCase()} (copies from elsewhere)`)
    if (w === 'engine') {
      engine = v.word(v.punct(i + 1) === '=' ? i + 2 : i + 1)
      if (!ENGINES.has(engine)) return refuse(`table engine ${engine || '?'}`)
    }
  }
  const body = checkBody(v, named.next, ctx)
  if (typeof body === 'string') return refuse(body)
  return ok('create_table', { name: named.name, qualifiers: body, engine })
}

/**
 * What every statement body must satisfy: no forbidden word, no `@@global`, no name of another
 * database. Returns the first parts of the two-part names it holds (for the live-database check).
 */
function checkBody(v: View, from: number, ctx: PolicyContext): string[] | string {
  const qualifiers = new Set<string>()
  for (let n = from; n < v.length; n++) {
    const w = v.word(n)
    if (FORBIDDEN_WORDS.has(w)) return `the word ${w.toUpperCase()}`
    if (w === 'definer') return 'a DEFINER inside a body'
    if (v.punct(n) !== '.' || n === from) continue
    const left = v.name(n - 1)
    const right = v.name(n + 1)
    if (left === null || right === null || /^\d+$/.test(left)) continue
    if (v.punct(n - 2) === '@') continue // @@session.x, @@global.x: checked by FORBIDDEN_WORDS
    if (v.punct(n - 2) === '.') continue // the middle of a.b.c: handled at its first dot
    const lower = left.toLowerCase()
    const threeParts = v.punct(n + 2) === '.' && v.name(n + 3) !== null
    const call = v.punct(n + 2) === '('
    if (SYSTEM_DATABASES.has(lower) || (isManagement(left) && left !== ctx.database))
      return `a name in database ${left}: ${left}.${right}`
    if ((threeParts || call || TABLE_POSITION.has(v.word(n - 2))) && left !== ctx.database)
      return `a name in database ${left}: ${left}.${right}`
    if (left !== ctx.database) qualifiers.add(left)
  }
  return [...qualifiers]
}

function isManagement(name: string): boolean {
  return (MANAGEMENT_DATABASES as readonly string[]).includes(name.toLowerCase())
}

function drop(v: View, ctx: PolicyContext): Verdict {
  const what = v.word(1)
  if (v.word(2) !== 'if' || v.word(3) !== 'exists') return refuse(`DROP ${v.raw(1)} without IF EXISTS`)
  if (what === 'database' || what === 'schema') {
    const db = v.name(4)
    if (v.length !== 5 || db === null || !(MANAGEMENT_DATABASES as readonly string[]).includes(db))
      return refuse(`DROP DATABASE of ${v.raw(4)}`)
    return ok('drop_database', { name: db })
  }
  if (!['table', 'view', 'trigger', 'procedure', 'function', 'event'].includes(what))
    return refuse(`DROP ${v.raw(1)}`)
  const missing = needDatabase(ctx)
  if (missing) return refuse(missing)
  const named = objectName(v, 4, ctx)
  if (typeof named === 'string') return refuse(named)
  // mysqldump drops one object per statement; the restore loads tables side by side and runs each DROP
  // with the object it drops, which needs one object.
  if (named.next !== v.length)
    return refuse(
      v.punct(named.next) === ','
        ? 'DROP of several objects in one statement (mysqldump writes one per object)'
        : `unexpected "${v.raw(named.next)}" in DROP`,
    )
  return ok('drop_object', { name: named.name, objectType: what.toUpperCase() })
}

function lockTables(v: View, ctx: PolicyContext): Verdict {
  if (v.word(1) !== 'tables') return refuse('LOCK without TABLES')
  const missing = needDatabase(ctx)
  if (missing) return refuse(missing)
  let n = 2
  for (;;) {
    const named = objectName(v, n, ctx)
    if (typeof named === 'string') return refuse(named)
    n = named.next
    if (v.word(n) === 'as') n += 2
    if (v.word(n) === 'read') n += v.word(n + 1) === 'local' ? 2 : 1
    else if (v.word(n) === 'low_priority' && v.word(n + 1) === 'write') n += 2
    else if (v.word(n) === 'write') n++
    else return refuse(`LOCK TABLES mode "${v.raw(n)}"`)
    if (n === v.length) return ok('lock_tables')
    if (v.punct(n) !== ',') return refuse(`unexpected "${v.raw(n)}" in LOCK TABLES`)
    n++
  }
}

function alterKeys(v: View, ctx: PolicyContext): Verdict {
  if (v.word(1) !== 'table') return refuse(`ALTER ${v.raw(1)}`)
  const missing = needDatabase(ctx)
  if (missing) return refuse(missing)
  const named = objectName(v, 2, ctx)
  if (typeof named === 'string') return refuse(named)
  const n = named.next
  if (v.length === n + 2 && (v.word(n) === 'disable' || v.word(n) === 'enable') && v.word(n + 1) === 'keys')
    return ok('alter_keys', { name: named.name })
  return refuse('ALTER TABLE other than DISABLE/ENABLE KEYS')
}

/** A literal a VALUES row may hold: NULL, a number, a quoted text, `_binary`/`X`/`B`/`N` before a text. */
const VALUE_WORD = /^(null|_binary|x|b|n|[0-9][0-9a-z_]*)$/i

/**
 * `INSERT INTO t [(cols)] VALUES (...),(...)`: only literals, rows one level deep. Walks the token
 * arrays directly (no view): a dump's INSERT can hold millions of tokens.
 */
function insert(s: LexedStatement, ctx: PolicyContext): Verdict {
  const missing = needDatabase(ctx)
  if (missing) return refuse(missing)
  const head = new View(s, 8)
  if (head.word(1) !== 'into') return refuse('INSERT without INTO')
  const named = objectName(head, 2, ctx)
  if (typeof named === 'string') return refuse(named)
  const t = s.tokens
  // Raw index of the token after the table name (executable-comment markers are not allowed here).
  let i = head.idx[named.next - 1] as number
  i++
  const at = (k: number) =>
    t.kinds[k] === Tok.Punct ? String.fromCharCode(s.text[t.starts[k] as number] as number) : ''
  if (at(i) === '(') {
    i++
    while (i < t.length && at(i) !== ')') {
      if (t.kinds[i] !== Tok.Ident && at(i) !== ',') return refuse('column list of names expected')
      i++
    }
    i++
  }
  const valuesWord =
    t.kinds[i] === Tok.Word && s.text.toString('latin1', t.starts[i], t.ends[i]).toLowerCase()
  if (valuesWord !== 'values' && valuesWord !== 'value') return refuse('INSERT ... other than VALUES')
  let depth = 0
  let rows = 0
  for (i++; i < t.length; i++) {
    const kind = t.kinds[i] as Tok
    if (kind === Tok.Text && depth === 1) continue
    if (kind === Tok.Word) {
      if (depth === 1 && VALUE_WORD.test(s.text.toString('latin1', t.starts[i], t.ends[i]))) continue
      return refuse(
        `"${s.text.toString('utf8', t.starts[i], t.ends[i]).slice(0, 40)}" in VALUES (only literals)`,
      )
    }
    const p = at(i)
    if (p === '(') {
      if (depth === 1) return refuse('nested parentheses in VALUES (only literals)')
      depth = 1
      rows++
    } else if (p === ')' && depth === 1) depth = 0
    else if (p === ',' || (depth === 1 && (p === '-' || p === '+' || p === '.'))) continue
    else return refuse(`"${p || '?'}" in VALUES (only literals)`)
  }
  if (depth !== 0 || rows === 0) return refuse('VALUES rows not closed')
  return ok('insert', { name: named.name, rows })
}
