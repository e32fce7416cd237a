import { createReadStream, statSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { AppError } from '../../errors/app-error.js'
import { redact } from '../../errors/redact.js'
import type { RemoteHost, RemoteProcess } from '../../ssh/remote-host.js'
import { type DatabaseSummary, DumpScanner, type DumpSummary } from './dump-scanner.js'
import type { Route } from './load-router.js'
import { type MysqlClient, mysqlErrorNumber } from './mysql-client.js'
import { ident, sq } from './shell.js'
import type { DumpTrust } from './statement-policy.js'

/** Decompressed bytes per piece, as the backup check reads (`verifyBackupFile`). */
export const GUNZIP_CHUNK = 1 << 20

export interface StreamRestoreOptions {
  /** Databases to drop, create and load; others in the dump are skipped. */
  databases: readonly string[]
  definerHost: string
  /** `own-safety-dump` for a rollback from our own safety dump; a backup otherwise. */
  trust?: DumpTrust
  /** Extra `mysql` client options (`--sandbox` where the host's client has it). */
  clientOptions?: string
  /** Called just before a database is dropped: from then on a failure needs a rollback. */
  onDrop(database: string): void
  /** The server's CONNECTION_ID() of each database's load session (to KILL it if the link is lost). */
  onSession?(database: string, connectionId: number): void
  /**
   * For a rollback: how long the DROP may wait for a metadata lock each time (an abandoned session
   * may hold one), how often, and a call before each new wait so it can be logged.
   */
  lockWait?: { seconds: number; attempts: number; onWait(database: string, attempt: number): void }
  onBytes?(done: number, total: number): void
  signal?: AbortSignal
  /**
   * What an earlier scan of this file found (the preflight's): a database with many tables gets all
   * its table sessions at once, instead of as its tables come.
   */
  expected?: DumpSummary
}

interface Sink {
  database: string
  proc: RemoteProcess
  stderr: string[]
  /** Rejects as soon as the process ends early (killed, connection lost) so a pending write never hangs. */
  died: Promise<never>
  exited: boolean
  /** Its input was ended: from then on an exit with 0 is its success. */
  ended: boolean
  /** MySQL took its login (its session id came back): only then is it part of the load. */
  established: boolean
}

/**
 * At most this many sessions load one database's tables side by side (`load-router.ts`): on the
 * 20,000-row ZStack dump, loading its 287 tables over 2–4 sessions took 0.41–0.53 s against 0.68 s
 * in one (MariaDB 10.11, 2 cores); management nodes have more cores. Each is one SSH channel and
 * one MySQL connection; a host that refuses more channels (sshd MaxSessions) just gets fewer.
 */
export const MAX_TABLE_SESSIONS = 4
/**
 * Views, routines and events wait in memory for their session: ZStack's hold a few KiB. A dump with
 * more than this of them is not one the restore knows how to load.
 */
const ORDERED_LIMIT = 64 * 1024 * 1024
/** One more session opens for every this many tables: a database of a few tables stays in one. */
const TABLES_PER_SESSION = 8
/**
 * What creating a table costs, in bytes of rows loaded in the same time (MariaDB 10.11: about 1.3 ms
 * a table, against about 25 MB/s of rows a session): a new table goes to the session with the least
 * work given, counted so.
 */
const TABLE_COST = 32 * 1024
/** MySQL's ER_BAD_DB_ERROR: a login to a database that is not there. */
const UNKNOWN_DATABASE = 1049

/**
 * Restores a zstack-ctl dump from a laptop file the way `zstack-ctl restore_mysql` does, in one pass:
 * gunzip on the laptop, the scanner's sed-equivalent rewrite, and for each database `DROP`, `CREATE`
 * and `mysql --one-database <db>` on the host fed through SSH channels: its tables over up to
 * MAX_TABLE_SESSIONS sessions, then its views, routines and events in one more (`load-router.ts`).
 * Memory stays bounded: chunks are written with backpressure, never collected (only the views,
 * routines, events and session settings wait for their session). Returns what the dump held.
 */
export async function streamRestore(
  host: RemoteHost,
  mysql: MysqlClient,
  file: string,
  options: StreamRestoreOptions,
): Promise<DumpSummary> {
  const wanted = new Set(options.databases)
  const scanner = new DumpScanner({ definerHost: options.definerHost, trust: options.trust ?? 'backup' })
  const loads = new Map<string, DatabaseLoad>()
  const sessions: Sink[] = []
  const preamble: Buffer[] = []
  const total = statSync(file).size
  let read = 0
  let failure: unknown = null
  /** The load has failed: a session that finishes opening after that is ended at once, not left idle. */
  let stopped = false

  const openSession = async (database: string, extra: boolean): Promise<Sink> => {
    const proc = await host.exec(
      mysql.command(
        'mysql',
        // --unbuffered: the session id must arrive at once, not when the load ends. --skip-reconnect:
        // a session the server closed must fail, never go on in a new one without the load's settings.
        `--default-character-set=utf8mb4 --unbuffered --skip-reconnect ${options.clientOptions ?? ''} --one-database ${sq(database)}`,
      ),
      { extra, ...(options.signal ? { signal: options.signal } : {}) },
    )
    if (stopped) {
      proc.kill()
      throw new Error(`the load of ${database} had stopped before this session opened`)
    }
    const stderr: string[] = []
    const sink = { database, proc, stderr, exited: false, ended: false, established: false } as Sink
    // stdout carries the session id, then nothing; it must be read: an SSH channel only closes once drained.
    let head = ''
    const established = new Promise<void>((resolve) => {
      proc.stdout.on('data', (c: Buffer) => {
        if (head.length > 200) return
        head += c.toString('latin1')
        const id = /^(\d+)\s*$/m.exec(head)?.[1]
        if (id) {
          sink.established = true
          options.onSession?.(database, Number(id))
          head = '.'.repeat(201)
          resolve()
        }
      })
    })
    proc.stderr.on('data', (c: Buffer) => {
      if (stderr.join('').length < 4000) stderr.push(c.toString('utf8'))
    })
    proc.stdin.on('error', () => {})
    sink.died = proc.exit.then((exit) => {
      sink.exited = true
      const error = sinkFailure(host.label, sink, exit)
      // A session that loaded and failed stops the whole load at once, whichever session is being
      // written; one that never got in (its open fails) only fails its open.
      if (sink.established && (!sink.ended || exit.code !== 0)) failure ??= error
      throw error
    })
    sink.died.catch(() => {})
    sessions.push(sink)
    // Our own first statements: the session's quoting rules are known whatever the server's default,
    // and a session waiting for its next table (another one streams a big table) is not closed as idle
    // by a short server wait_timeout (a day; the server's own default is 8 hours).
    await write(
      sink,
      Buffer.from(
        `SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO', wait_timeout = 86400;\nSELECT CONNECTION_ID();\n`,
      ),
    )
    for (const part of preamble) await write(sink, part)
    // In once its id comes back (MySQL took the login); out if it ends first.
    await Promise.race([established, sink.died])
    return sink
  }

  /**
   * Opens a channel the load cannot do without. A host that allows few channels per connection (sshd
   * MaxSessions) may refuse it while the sessions of a database the load has left still finish: one
   * of them exiting frees a channel, so it waits for that and asks again.
   */
  const withRoom = async <T>(open: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await open()
      } catch (e) {
        const finishing = sessions.filter((s) => s.ended && !s.exited)
        if (!(e instanceof AppError && e.code === 'ssh.channel_refused') || finishing.length === 0) throw e
        await Promise.race(finishing.map((s) => s.proc.exit))
      }
    }
  }

  const loadOf = async (database: string): Promise<DatabaseLoad> => {
    const load = loads.get(database)
    if (load) return load
    options.onDrop(database)
    const expectedTables = Object.keys(options.expected?.databases[database]?.tables ?? {}).length
    // The first database's table sessions log in while its DROP runs: statements reach them only
    // after the DROP and CREATE, and a session whose database is dropped and created again under it
    // goes on in the new one. Only while nothing else of the load is open: the DROP's channel is
    // asked for first, so a host that allows one channel gives it that one.
    const early = sessions.length === 0
    const dropped = withRoom(() =>
      dropDatabase(
        mysql,
        database,
        `${createDatabase(database, scanner.summary().databases[database])};`,
        options.lockWait,
      ),
    )
    const fresh = new DatabaseLoad(database, expectedTables, {
      open: () => withRoom(() => openSession(database, false)),
      // One that logs in between the DROP and the CREATE (or on a node without the database yet)
      // finds no database: it asks again once the CREATE is done.
      tryOpen: () =>
        openSession(database, true).catch(async (e: unknown) => {
          if (mysqlErrorNumber(e) !== UNKNOWN_DATABASE) throw e
          await dropped
          return openSession(database, true)
        }),
    })
    loads.set(database, fresh)
    if (early) fresh.openAhead()
    await dropped
    return fresh
  }

  const input = createReadStream(file, {
    highWaterMark: 1 << 20,
    ...(options.signal ? { signal: options.signal } : {}),
  })
  input.on('data', (c) => {
    read += c.length
    options.onBytes?.(read, total)
  })
  // Large pieces (the default is 16 KiB): a fifth less CPU here, and fewer, larger writes to the loaders.
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK })
  // pipeline, not pipe: an aborted or failed read must end the gunzip (and so the loop below) with
  // its error; with pipe the loop waited for data that never came.
  pipeline(input, gunzip).catch(() => {})
  let current: string | null = null
  try {
    const route = async (segments: ReturnType<DumpScanner['push']>) => {
      // The preflight refused any backup with such a statement: the file changed since.
      if (scanner.refusedCount > 0) throw refusedDuringRestore(file, scanner.summary())
      for (const { database, route: to, data } of segments) {
        if (failure) throw failure
        if (database === null) {
          preamble.push(data)
          continue
        }
        if (!wanted.has(database)) continue
        // Leaving a database ends its table sessions, so they finish (and free their channels) while
        // the next one loads; its views and routines still wait for the end.
        if (database !== current) loads.get(current ?? '')?.release()
        current = database
        await (await loadOf(database)).write(to as Route, data)
      }
    }
    for await (const chunk of gunzip) await route(scanner.push(chunk as Buffer))
    await route(scanner.end())
    for (const load of loads.values()) load.release()
    await Promise.all([...loads.values()].map((load) => load.finish()))
  } catch (e) {
    stopped = true
    for (const sink of sessions) if (!sink.exited) sink.proc.kill()
    input.destroy()
    if (options.signal?.aborted) throw options.signal.reason
    throw e
  }
  const missing = options.databases.filter((d) => !loads.has(d))
  if (missing.length > 0) {
    throw new AppError(
      'restore.database_missing_in_dump',
      {
        en: `The dump holds no data for ${missing.join(', ')}.`,
        zh: `转储中没有 ${missing.join('、')} 的数据。`,
      },
      { missing },
    )
  }
  return scanner.summary()
}

interface Lane {
  sink: Sink
  /** Bytes given to it: a new table goes to the session with the least. */
  bytes: number
}

/**
 * One database's load sessions: its tables spread over up to MAX_TABLE_SESSIONS (opened as the
 * tables come, without stopping the stream), its views, routines and events (`ordered`) kept to
 * run in one session once every table session has finished.
 */
class DatabaseLoad {
  private lanes: Lane[] = []
  private laneOf = new Map<string, Lane>()
  private readonly ordered: Buffer[] = []
  private orderedBytes = 0
  /** The session for `ordered`, opened (in the background) when the first such statement comes. */
  private orderedSession: Promise<Sink | null> | null = null
  /** Sessions whose input was ended: a new session of this database starts only after they finish. */
  private readonly ended: Sink[] = []
  /** Table sessions asked for in the background (a refused one rejects: it is simply not there). */
  private attempts: Promise<void>[] = []
  private grown = false
  private tables = 0
  /** Counts releases: a session that finishes opening after one is ended at once, as if it had been released. */
  private generation = 0

  constructor(
    private readonly database: string,
    /** Tables an earlier scan found in it; 0 when unknown. */
    private readonly expectedTables: number,
    private readonly sessions: {
      /** A session the load needs (waits for room on a host that limits channels). */
      open(): Promise<Sink>
      /** One more table session: a refusal is an answer, not an error. */
      tryOpen(): Promise<Sink>
    },
  ) {}

  async write(route: Route, data: Buffer): Promise<void> {
    if (route.to === 'table') return this.toTable(route.table, data)
    this.orderedBytes += data.length
    if (this.orderedBytes > ORDERED_LIMIT) throw orderedTooLarge(this.database)
    this.ordered.push(data)
    // Opened now, it waits idle for the tables, and its set-up is off the end of the load. Only on a
    // host that gave every table session asked for: an idle session holds a channel that a host
    // with fewer may need for the next database.
    if (this.lanes.length === MAX_TABLE_SESSIONS)
      this.orderedSession ??= this.sessions.tryOpen().catch(() => null)
  }

  /** Ends the table sessions' input (they finish what they have); later tables get new sessions. */
  release(): void {
    this.generation++
    for (const lane of this.lanes) end(lane.sink)
    this.ended.push(...this.lanes.map((l) => l.sink))
    this.lanes = []
    this.laneOf = new Map()
  }

  /** Waits for every table session, then runs the views, routines and events. */
  async finish(): Promise<void> {
    await Promise.allSettled(this.attempts)
    await this.waitEnded()
    if (this.ordered.length === 0) return
    const sink = (await this.orderedSession) ?? (await this.sessions.open())
    for (const part of this.ordered) await write(sink, part)
    end(sink)
    await succeeded(sink)
  }

  private async toTable(table: string, data: Buffer): Promise<void> {
    const lane = this.laneOf.get(table) ?? (await this.assign(table))
    lane.bytes += data.length
    await write(lane.sink, data)
  }

  private async assign(table: string): Promise<Lane> {
    this.tables++
    if (this.lanes.length === 0) await this.firstSessions()
    else if (this.tables > TABLES_PER_SESSION) this.grow()
    const lane = this.lanes.reduce((a, b) => (b.bytes < a.bytes ? b : a))
    lane.bytes += TABLE_COST
    this.laneOf.set(table, lane)
    return lane
  }

  /** A database known to have many tables: its table sessions start opening now (see `loadOf`). */
  openAhead(): void {
    if (this.expectedTables > TABLES_PER_SESSION) this.grow()
  }

  /**
   * The first table session, and when the database is known to have many tables, the others with it
   * (whichever opens first starts the load; a host that allows fewer channels gives fewer).
   */
  private async firstSessions(): Promise<void> {
    await this.waitEnded()
    if (this.lanes.length > 0) return
    if (this.expectedTables > TABLES_PER_SESSION) {
      this.grow()
      await Promise.any(this.attempts).catch(() => {})
    }
    // None opened (a host at its channel limit refuses each), or none was asked for: this one waits for room.
    if (this.lanes.length === 0) this.lanes.push({ sink: await this.sessions.open(), bytes: 0 })
  }

  /**
   * Opens the table sessions the database does not have yet, in the background (the stream goes on
   * with the sessions it has): once, when it proves to have more than a few tables or is known to.
   * A session that cannot open (a host that refuses more channels) is simply not there.
   */
  private grow(): void {
    if (this.grown) return
    this.grown = true
    const generation = this.generation
    const opens = Array.from({ length: MAX_TABLE_SESSIONS - this.lanes.length }, () =>
      this.sessions.tryOpen().then((sink) => {
        if (generation === this.generation) this.lanes.push({ sink, bytes: 0 })
        else {
          end(sink)
          this.ended.push(sink)
        }
      }),
    )
    for (const o of opens) o.catch(() => {})
    this.attempts.push(...opens)
  }

  private async waitEnded(): Promise<void> {
    for (const sink of this.ended.splice(0)) await succeeded(sink)
  }
}

function end(sink: Sink): void {
  sink.ended = true
  sink.proc.stdin.end()
}

async function succeeded(sink: Sink): Promise<void> {
  const exit = await sink.proc.exit
  if (exit.code !== 0) throw await sink.died.catch((e: unknown) => e)
}

/**
 * Drops a database (then runs `then`, e.g. our CREATE). With `lockWait`, each try waits at most
 * `seconds` for a metadata lock and every new wait is reported, so a stuck rollback is never silent.
 */
export async function dropDatabase(
  mysql: MysqlClient,
  database: string,
  then: string,
  lockWait?: StreamRestoreOptions['lockWait'],
): Promise<void> {
  const sql = `DROP DATABASE IF EXISTS ${ident(database)};\n${then}`
  if (!lockWait) {
    await mysql.query(sql)
    return
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await mysql.query(
        `SET SESSION lock_wait_timeout = ${Math.max(1, Math.round(lockWait.seconds))};\n${sql}`,
      )
      return
    } catch (e) {
      const lock =
        e instanceof AppError && /\b1205\b|Lock wait timeout/i.test(String(e.details?.stderr ?? ''))
      if (!lock || attempt >= lockWait.attempts) throw e
      lockWait.onWait(database, attempt)
    }
  }
}

/** `CREATE DATABASE` written by us: the name is ours, charset and collation passed the allow-list. */
function createDatabase(database: string, summary: DatabaseSummary | undefined): string {
  const charset = summary?.charset ? ` CHARACTER SET ${summary.charset}` : ''
  const collation = summary?.collation ? ` COLLATE ${summary.collation}` : ''
  return `CREATE DATABASE ${ident(database)}${charset}${collation}`
}

function orderedTooLarge(database: string): AppError {
  const mib = ORDERED_LIMIT / 1024 / 1024
  return new AppError(
    'restore.dump_objects_too_large',
    {
      en: `The views, routines and events of ${database} in the dump exceed ${mib} MiB (ZStack's hold a few KiB): loading stopped.`,
      zh: `转储中 ${database} 的视图、存储过程和事件超过 ${mib} MiB（ZStack 的只有几 KiB）：已停止导入。`,
    },
    { database, limitBytes: ORDERED_LIMIT },
  )
}

function refusedDuringRestore(file: string, summary: DumpSummary): AppError {
  const first = summary.refusals[0]
  const where = first ? ` (line ${first.line}: ${first.reason})` : ''
  return new AppError(
    'restore.backup_refused',
    {
      en: `${file} changed after the preflight: it now holds a statement a backup may not hold${where}. Loading stopped.`,
      zh: `${file} 在预检之后发生了变化：其中出现了备份不允许包含的语句${where}。已停止导入。`,
    },
    { line: first?.line ?? null },
  )
}

async function write(sink: Sink, data: Buffer): Promise<void> {
  if (sink.exited) await sink.died
  if (sink.proc.stdin.write(data)) return
  // A broken pipe means the process is gone: wait for its exit, which says why.
  await Promise.race([drained(sink.proc.stdin).catch(() => sink.died), sink.died])
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      stream.off('drain', done)
      stream.off('error', fail)
      resolve()
    }
    const fail = (e: Error) => {
      stream.off('drain', done)
      reject(e)
    }
    stream.on('drain', done)
    stream.on('error', fail)
  })
}

function sinkFailure(
  hostLabel: string,
  sink: Sink,
  exit: { code: number | null; signal: string | null },
): AppError {
  const stderr = redact(sink.stderr.join('').trim()).slice(0, 600)
  const how =
    exit.code === null ? `was stopped (${exit.signal ?? 'connection lost'})` : `exited with ${exit.code}`
  return new AppError(
    'restore.mysql_load_failed',
    {
      en: `Loading database ${sink.database} on ${hostLabel}: mysql ${how}${stderr ? `: ${stderr}` : ''}.`,
      zh: `在 ${hostLabel} 上导入数据库 ${sink.database} 时 mysql ${exit.code === null ? '被中止' : `退出码 ${exit.code}`}${stderr ? `：${stderr}` : ''}。`,
    },
    { database: sink.database, code: exit.code, signal: exit.signal, stderr },
  )
}
