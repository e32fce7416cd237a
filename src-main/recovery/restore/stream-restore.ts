import { createReadStream, statSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { AppError } from '../../errors/app-error.js'
import { redact } from '../../errors/redact.js'
import type { RemoteHost, RemoteProcess } from '../../ssh/remote-host.js'
import { type DatabaseSummary, DumpScanner, type DumpSummary } from './dump-scanner.js'
import type { MysqlClient } from './mysql-client.js'
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
}

interface Sink {
  database: string
  proc: RemoteProcess
  stderr: string[]
  /** Rejects as soon as the process ends early (killed, connection lost) so a pending write never hangs. */
  died: Promise<never>
  exited: boolean
}

/**
 * Restores a zstack-ctl dump from a laptop file the way `zstack-ctl restore_mysql` does, in one pass:
 * gunzip on the laptop, the scanner's sed-equivalent rewrite, and for each database `DROP`, `CREATE`
 * and `mysql --one-database <db>` on the host fed through the channel. Memory stays bounded: chunks are
 * written with backpressure, never collected. Returns what the dump held (for verification).
 */
export async function streamRestore(
  host: RemoteHost,
  mysql: MysqlClient,
  file: string,
  options: StreamRestoreOptions,
): Promise<DumpSummary> {
  const wanted = new Set(options.databases)
  const scanner = new DumpScanner({ definerHost: options.definerHost, trust: options.trust ?? 'backup' })
  const sinks = new Map<string, Sink>()
  const preamble: Buffer[] = []
  const total = statSync(file).size
  let read = 0

  const openSink = async (database: string): Promise<Sink> => {
    options.onDrop(database)
    await dropDatabase(
      mysql,
      database,
      `${createDatabase(database, scanner.summary().databases[database])};`,
      options.lockWait,
    )
    const proc = await host.exec(
      mysql.command(
        'mysql',
        // --unbuffered: the session id must arrive at once, not when the load ends.
        `--default-character-set=utf8mb4 --unbuffered ${options.clientOptions ?? ''} --one-database ${sq(database)}`,
      ),
      {
        ...(options.signal ? { signal: options.signal } : {}),
      },
    )
    const stderr: string[] = []
    // stdout carries the session id, then nothing; it must be read: an SSH channel only closes once drained.
    let head = ''
    proc.stdout.on('data', (c: Buffer) => {
      if (head.length > 200) return
      head += c.toString('latin1')
      const id = /^(\d+)\s*$/m.exec(head)?.[1]
      if (id) {
        options.onSession?.(database, Number(id))
        head = '.'.repeat(201)
      }
    })
    proc.stderr.on('data', (c: Buffer) => {
      if (stderr.join('').length < 4000) stderr.push(c.toString('utf8'))
    })
    proc.stdin.on('error', () => {})
    const sink = { database, proc, stderr, exited: false } as Sink
    sink.died = proc.exit.then((exit) => {
      sink.exited = true
      throw sinkFailure(host.label, sink, exit)
    })
    sink.died.catch(() => {})
    // Our own first statement: the session's quoting rules are known whatever the server's default.
    await write(
      sink,
      Buffer.from(`SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO';\nSELECT CONNECTION_ID();\n`),
    )
    for (const part of preamble) await write(sink, part)
    return sink
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
  try {
    const route = async (segments: ReturnType<DumpScanner['push']>) => {
      // The preflight refused any backup with such a statement: the file changed since.
      if (scanner.refusedCount > 0) throw refusedDuringRestore(file, scanner.summary())
      for (const { database, data } of segments) {
        if (database === null) {
          preamble.push(data)
          continue
        }
        if (!wanted.has(database)) continue
        let sink = sinks.get(database)
        if (!sink) {
          sink = await openSink(database)
          sinks.set(database, sink)
        }
        await write(sink, data)
      }
    }
    for await (const chunk of gunzip) await route(scanner.push(chunk as Buffer))
    await route(scanner.end())
    for (const sink of sinks.values()) sink.proc.stdin.end()
    for (const sink of sinks.values()) {
      const exit = await sink.proc.exit
      if (exit.code !== 0) throw sinkFailure(host.label, sink, exit)
    }
  } catch (e) {
    for (const sink of sinks.values()) if (!sink.exited) sink.proc.kill()
    input.destroy()
    if (options.signal?.aborted) throw options.signal.reason
    throw e
  }
  const missing = options.databases.filter((d) => !sinks.has(d))
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
    { database: sink.database, code: exit.code, signal: exit.signal },
  )
}
