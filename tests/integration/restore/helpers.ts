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
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')
      if (needles.every((n) => cmdline.includes(n))) pids.push(Number(entry))
    } catch {}
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
 * Connects like `sshdConnector`, and once the loader of `database` starts, SIGKILLs every load session
 * of the run then running (waiting briefly for the new one to appear): a crash mid-restore. The
 * restore loads a database over several sessions and ends them when it moves on, so which ones still
 * run depends on timing; the one just started always does. `then` runs right after the kill.
 */
export function killLoadersWhen(
  sshd: Sshd,
  database: string,
  then: () => void = () => {},
): { connect: () => Promise<RemoteHost>; killed: number[] } {
  let optionFile = ''
  let triggered = false
  const killed: number[] = []
  const killRunning = async () => {
    for (let tries = 0; killed.length === 0 && tries < 150; tries++) {
      for (const pid of pidsWithArgs([optionFile, '--one-database'])) {
        try {
          process.kill(pid, 'SIGKILL')
          killed.push(pid)
        } catch {} // it ended between the listing and the kill
      }
      if (killed.length === 0) await new Promise((r) => setTimeout(r, 20))
    }
    then()
  }
  const connect = async () =>
    observedHost(await sshdConnector(sshd)(), (command) => {
      const file = /--defaults-extra-file='([^']+)'/.exec(command)?.[1]
      if (file) optionFile = file
      if (triggered || !command.includes(`--one-database '${database}'`)) return
      triggered = true
      void killRunning()
    })
  return { connect, killed }
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
