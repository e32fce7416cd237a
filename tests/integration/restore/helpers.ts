import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RestoreLogEntry } from '../../../src-main/api/contract/restore.js'
import type { RestoreRunOptions } from '../../../src-main/recovery/restore/engine.js'
import type { LogSink } from '../../../src-main/recovery/restore/run-log.js'
import { connectHost, KnownHosts } from '../../../src-main/ssh/index.js'
import type { RemoteHost } from '../../../src-main/ssh/remote-host.js'
import { loadDump, zstackDumpFixture } from '../../fixtures/zstack-db/build.js'
import { type MariaDb, startMariaDb } from '../../harness/mariadb.js'
import { type Sshd, startSshd } from '../../harness/sshd.js'

/** `CHECKSUM TABLE` of every base table in the three management databases: the ground truth of "same data". */
export async function checksums(db: MariaDb): Promise<Record<string, string>> {
  const tables = await db.sql(
    `SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN ('zstack', 'zstack_rest', 'zstack_ui') AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`,
  )
  const names = tables.split('\n').filter(Boolean)
  if (names.length === 0) return {}
  const out = await db.sql(
    `CHECKSUM TABLE ${names
      .map((n) =>
        n
          .split('.')
          .map((p) => `\`${p}\``)
          .join('.'),
      )
      .join(', ')}`,
  )
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string]),
  )
}

/** Typical damage: rows deleted and changed, a table dropped, a stray table added. */
export async function damage(db: MariaDb): Promise<void> {
  await db.sql(`SET FOREIGN_KEY_CHECKS=0;
    DELETE FROM zstack.VolumeEO WHERE uuid IS NOT NULL LIMIT 5;
    UPDATE zstack.ImageEO SET name = '损坏的镜像' LIMIT 3;
    DROP TABLE IF EXISTS zstack.person;
    TRUNCATE zstack.HostEO;
    DELETE FROM zstack_ui.user_preference;
    CREATE TABLE zstack_rest.stray (id int);`)
}

/**
 * A management-node host as the restore tests meet it: MariaDB holding the ZStack database of the
 * `backup` dump, then damaged; the loopback sshd in front. `original` and `damaged` are its checksums.
 */
export async function startDamagedNode(rootPassword: string): Promise<{
  db: MariaDb
  sshd: Sshd
  backup: string
  original: Record<string, string>
  damaged: Record<string, string>
}> {
  const backup = await zstackDumpFixture({ rowsPerTable: 20 })
  const [db, sshd] = await Promise.all([startMariaDb({ rootPassword }), startSshd()])
  await loadDump(db, backup)
  const original = await checksums(db)
  await damage(db)
  return { db, sshd, backup, original, damaged: await checksums(db) }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** PIDs of processes whose command line holds every one of `needles` (exact strings, no patterns). */
export function pidsWithArgs(needles: string[]): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = cmdlineOf(Number(entry))
    if (needles.every((n) => cmdline.includes(n))) pids.push(Number(entry))
  }
  return pids
}

/** A host that reports every command it is asked to run, so a test can react to a given step. */
export function observedHost(inner: RemoteHost, onCommand: (command: string) => void): RemoteHost {
  return {
    label: inner.label,
    hostKeyFingerprint: inner.hostKeyFingerprint,
    exec: (command, options) => {
      onCommand(command)
      return inner.exec(command, options)
    },
    run: (command, options) => {
      onCommand(command)
      return inner.run(command, options)
    },
    close: () => inner.close(),
  }
}

/**
 * Connects like `sshdConnector`, and once the loader of `database` starts, SIGKILLs it and every other
 * load session of the run then running: a crash mid-restore. The kill happens before the restore gets
 * the new session, so that one is certainly alive (its mysql waits for input) and certainly killed,
 * whatever the machine's load; nothing is left watching afterwards (a watcher that outlived the kill
 * could hit the rollback's sessions). `then` runs right after the kill.
 */
export function killLoadersWhen(
  sshd: Sshd,
  database: string,
  then: () => void = () => {},
): { connect: () => Promise<RemoteHost>; killed: number[] } {
  let optionFile = ''
  let triggered = false
  const killed: number[] = []
  const target = new RegExp(`--one-database '?${database}'? `)
  const crash = async () => {
    const deadline = Date.now() + 10_000
    while (!pidsWithArgs([optionFile, '--one-database']).some((pid) => target.test(cmdlineOf(pid)))) {
      if (Date.now() > deadline) throw new Error(`the loader of ${database} never started`)
      await new Promise((r) => setTimeout(r, 10))
    }
    for (const pid of pidsWithArgs([optionFile, '--one-database'])) {
      try {
        process.kill(pid, 'SIGKILL')
        killed.push(pid)
      } catch {} // it ended between the listing and the kill
    }
    then()
  }
  const connect = async (): Promise<RemoteHost> => {
    const inner = await sshdConnector(sshd)()
    const watch = (command: string) => {
      const file = /--defaults-extra-file='([^']+)'/.exec(command)?.[1]
      if (file) optionFile = file
      const trigger = !triggered && command.includes(`--one-database '${database}'`)
      if (trigger) triggered = true
      return trigger
    }
    return {
      ...observedHost(inner, watch),
      exec: async (command, options) => {
        const trigger = watch(command)
        const proc = await inner.exec(command, options)
        if (trigger) await crash()
        return proc
      },
    }
  }
  return { connect, killed }
}

function cmdlineOf(pid: number): string {
  try {
    // Each argument ends with a NUL: joined, each is followed by a space, the last one too.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return ''
  }
}

/** Collects the live log; `text()` is everything a user could have seen. */
export function collectingSink(): { sink: LogSink; entries: RestoreLogEntry[]; text(): string } {
  const entries: RestoreLogEntry[] = []
  return { sink: (e) => entries.push(e), entries, text: () => JSON.stringify(entries) }
}

/** Connects to a loopback sshd as its test user, with a private known-hosts file (first key accepted). */
export function sshdConnector(
  sshd: Sshd,
  port = sshd.port,
  keepaliveIntervalMs?: number,
): () => Promise<RemoteHost> {
  const dir = tempDir('zsdr-restore-ssh-')
  return () =>
    connectHost(
      { host: '127.0.0.1', port, user: sshd.user, agent: false },
      {
        knownHosts: new KnownHosts(join(dir, 'known_hosts')),
        configFile: null,
        homeDir: join(dir, 'home'),
        acceptNewHostKey: true,
        credentials: () => ({ password: sshd.password }),
        readyTimeoutMs: 5000,
        ...(keepaliveIntervalMs ? { keepaliveIntervalMs } : {}),
      },
    )
}

/** Password option folders (`--defaults-extra-file`) named in a run's report that still exist. */
export function optionFoldersLeft(reportJson: string): string[] {
  const folders = new Set(
    [
      ...readFileSync(reportJson, 'utf8').matchAll(
        /--defaults-extra-file='(\/tmp\/zsdr-mysql\.[A-Za-z0-9]+)\/client\.cnf'/g,
      ),
    ].map((m) => m[1] as string),
  )
  if (folders.size === 0) throw new Error(`no option folder named in ${reportJson}`)
  return [...folders].filter((f) => existsSync(f))
}

export type RunOverrides = Partial<Omit<RestoreRunOptions, 'settings'>> & {
  settings?: Partial<RestoreRunOptions['settings']>
}

/** Options of a run against a test node (loopback sshd + MariaDB), with its live log collected. */
export function nodeRun(
  node: { sshd: Sshd; db: MariaDb; password: string; backup: string },
  overrides: RunOverrides = {},
): { run: RestoreRunOptions; log: ReturnType<typeof collectingSink>; laptopDir: string } {
  const log = collectingSink()
  const laptopDir = tempDir('zsdr-restore-laptop-')
  const run: RestoreRunOptions = {
    runId: 'f'.repeat(32),
    connect: sshdConnector(node.sshd),
    confirm: async () => true,
    sinks: [log.sink],
    reconnect: { attempts: 2, delayMs: 100 },
    ...overrides,
    settings: {
      backupFile: node.backup,
      mysql: { host: '127.0.0.1', port: node.db.port, password: node.password },
      skipUi: false,
      safetyDir: hostDir('zsdr-restore-host-'),
      laptopDir,
      ...overrides.settings,
    },
  }
  return { run, log, laptopDir }
}

/** A folder the sshd test user may write to (a safety-dump folder on the "host"). */
export function hostDir(prefix: string): string {
  const dir = tempDir(prefix)
  chmodSync(dir, 0o777)
  return dir
}
