/**
 * `npm run bench -- restore-e2e`: the whole `zsdr db restore` as a user runs it (start-up, preflight
 * with the backup's check and scan, safety dump copied here, restore, verification, report) against
 * zstack-ctl's restore_mysql steps on the host (its safety `dump_mysql`, then
 * `gunzip | sed | mysql --one-database` per database), same dump, same MariaDB, same run,
 * alternating; medians, load average printed. Builds first so the built CLI is what runs.
 * The dump: the ZStack 3.0.0 schema with about 20,000 rows spread over its tables (#17's dump);
 * ZSDR_BENCH_RESTORE_BULK_MB adds bulk rows (100 for the ≥ 100 MB case); ZSDR_BENCH_ROUNDS rounds
 * (default 3). Each round's evidence report gives the time of every step; their medians are printed,
 * with what the wall clock adds around them: before the first step (the CLI's start-up), between
 * steps (closing the connection) and after the last (writing the report, exiting).
 * Target (#17): ratio ≤ 1.3.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadDump, zstackDumpFixture } from '../fixtures/zstack-db/build.js'
import { runZsdr } from '../harness/cli.js'
import { startMariaDb } from '../harness/mariadb.js'
import { startSshd } from '../harness/sshd.js'
import { loadLine, median, printSecondsResult } from './_result.js'
import { uncompressedSize, zstackCtlWay } from './restore.js'

export default async function restoreE2eBench(): Promise<void> {
  const bulkMB = Number(process.env.ZSDR_BENCH_RESTORE_BULK_MB ?? 0)
  const rounds = Number(process.env.ZSDR_BENCH_ROUNDS ?? 3)
  execFileSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: 'ignore',
  })
  const file = await zstackDumpFixture({ rowsPerTable: { total: 20_000 }, bulkBytes: bulkMB * 1024 * 1024 })
  const rootPassword = `Bench-${process.pid}`
  const [db, sshd] = await Promise.all([startMariaDb({ rootPassword }), startSshd()])
  const work = mkdtempSync(join(tmpdir(), 'zsdr-bench-restore-e2e-'))
  // The safety-dump folder is on the "host": the sshd test user writes there.
  const safetyDir = join(work, 'safety')
  execFileSync('mkdir', ['-m', '777', safetyDir])
  chmodSync(work, 0o755)
  try {
    await loadDump(db, file)
    const mb = (await uncompressedSize(file)) / 1e6
    console.log(
      `restore-e2e, dump ${mb.toFixed(1)} MB uncompressed, ${rounds} round(s); before: ${loadLine()}`,
    )
    const argv = [
      'db',
      'restore',
      `${sshd.user}@127.0.0.1:${sshd.port}`,
      file,
      '--ssh-config',
      'none',
      '--known-hosts',
      join(work, 'known_hosts'),
      '--accept-new-host-key',
      '--mysql-host',
      '127.0.0.1',
      '--mysql-port',
      String(db.port),
      '--safety-dir',
      safetyDir,
      '--yes',
      '--json',
    ]
    const env = {
      ZSDR_HOME: join(work, 'home'),
      HOME: join(work, 'user'),
      DBUS_SESSION_BUS_ADDRESS: '',
      SSH_AUTH_SOCK: '',
      ZSDR_SSH_PASSWORD: sshd.password,
      ZSDR_MYSQL_ROOT_PASSWORD: rootPassword,
    }
    const ours: number[] = []
    const theirs: number[] = []
    const phases = new Map<string, number[]>()
    let rows: number | null = null
    for (let i = 0; i < rounds; i++) {
      // Each side starts on a server at rest: right after a load, InnoDB's background work (purge,
      // page flushing) slows the next side's dump, and in this loop that was always ours.
      await settle()
      theirs.push((await zstackCtlWay(db, file, work, { safetyDump: true })).seconds)
      await settle()
      const started = performance.now()
      const startedAt = Date.now()
      const r = await runZsdr(argv, { env })
      const seconds = (performance.now() - started) / 1000
      const endedAt = Date.now()
      const last = r.code === 0 ? (JSON.parse(r.stdout) as LastEntry) : null
      if (last?.outcome !== 'restored' || !last.reportPaths)
        throw new Error(`zsdr db restore did not restore (exit ${r.code}): ${r.stderr.slice(-800)}`)
      ours.push(seconds)
      const report = JSON.parse(readFileSync(last.reportPaths.json, 'utf8')) as Report
      rows = report.restore.rowsLoaded
      const add = (phase: string, s: number) => phases.set(phase, [...(phases.get(phase) ?? []), s])
      let inSteps = 0
      for (const step of report.steps) {
        inSteps += step.ms ?? 0
        add(step.id, (step.ms ?? 0) / 1000)
        // The preflight's parts overlap (the backup is read while the host answers).
        for (const [part, ms] of Object.entries(step.detail.partsMs ?? {})) add(`  ${part}`, ms / 1000)
      }
      const firstBegan = Date.parse(report.steps[0]?.startedAt ?? '')
      const lastEnded = Date.parse(report.steps.at(-1)?.finishedAt ?? '')
      add('before the first', (firstBegan - startedAt) / 1000)
      add('between steps', (lastEnded - firstBegan - inSteps) / 1000)
      add('after the last', (endedAt - lastEnded) / 1000)
      console.log(
        `round ${i + 1}: zsdr db restore ${seconds.toFixed(2)} s, zstack-ctl steps ${theirs[i]?.toFixed(2)} s; ${loadLine()}`,
      )
    }
    console.log(`rows loaded: ${rows}; median seconds per step of zsdr db restore:`)
    for (const [id, times] of phases) console.log(`  ${id.padEnd(18)} ${median(times).toFixed(2)}`)
    const value = median(ours)
    const baseline = median(theirs)
    console.log(
      `medians: ours ${value.toFixed(2)} s, zstack-ctl ${baseline.toFixed(2)} s; after: ${loadLine()}`,
    )
    printSecondsResult('restore-e2e', value, baseline)
  } finally {
    await Promise.all([db.stop(), sshd.stop()])
    rmSync(work, { recursive: true, force: true })
  }
}

const SETTLE_MS = 2000

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
}

interface LastEntry {
  outcome?: string
  reportPaths?: { json: string }
}

/** The parts of the evidence report the bench reads. */
interface Report {
  restore: { rowsLoaded: number | null }
  steps: {
    id: string
    ms: number | null
    startedAt: string
    finishedAt: string | null
    detail: { partsMs?: Record<string, number> }
  }[]
}
