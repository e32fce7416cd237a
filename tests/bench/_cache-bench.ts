/**
 * Shared by the cache benchmarks: the simulator in its own process (so its work is not counted
 * against either side), a fresh database, the app's own sync (worker thread, as the app runs it),
 * and the baseline: the same pages fetched, JSON.parsed and bulk-inserted by a minimal loop.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { RESOURCES, SYNC_ORDER } from '../../src-main/cache/resources.js'
import { columnValues } from '../../src-main/cache/store.js'
import type { SyncMode, SyncResult } from '../../src-main/cache/sync.js'
import { DEFAULT_PAGE_SIZE } from '../../src-main/cache/sync.js'
import { runSyncInWorker } from '../../src-main/cache/sync-runner.js'
import { type Database, openDatabase } from '../../src-main/db/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
export const ACCOUNT = 'admin'
export const PASSWORD = 'password'

export interface SimProcess {
  baseUrl: string
  stop(): Promise<void>
}

/** `npm run sim -- --seed <seed>` as its own process; resolves once it listens. */
export async function startSimProcess(seed: 'large' | 'demo'): Promise<SimProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(root, 'node_modules/tsx/dist/cli.mjs'),
      join(root, 'tests/sim/main.ts'),
      '--seed',
      seed,
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout! })
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)))
    lines.on('line', (line) => {
      const m = /^listening (\S+)/.exec(line)
      if (m) resolve(m[1]!)
    })
  })
  return {
    baseUrl,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

export function tempDb(): { file: string; open(): Database; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'zsdr-bench-'))
  const file = join(dir, 'zsdr.sqlite')
  return { file, open: () => openDatabase(file), remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** One page of each resource, so the simulator's first pass over its tables is not timed. */
export async function warmUp(sim: SimProcess): Promise<void> {
  const session = await login(sim)
  for (const name of SYNC_ORDER) {
    await fetch(`${sim.baseUrl}${RESOURCES[name].path}?limit=1`, {
      headers: { authorization: `OAuth ${session}` },
    })
  }
}

async function login(sim: SimProcess): Promise<string> {
  const res = await fetch(`${sim.baseUrl}/v1/accounts/login`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      logInByAccount: { accountName: ACCOUNT, password: createHash('sha512').update(PASSWORD).digest('hex') },
    }),
  })
  return ((await res.json()) as { inventory: { uuid: string } }).inventory.uuid
}

/** A fresh database holding the large seed, synced by the app as connection `bench` (the simulator is stopped after). */
export async function syncedLargeSeed(): Promise<ReturnType<typeof tempDb>> {
  const sim = await startSimProcess('large')
  const file = tempDb()
  try {
    await warmUp(sim)
    await appSync(sim, file.file, 'full')
  } finally {
    await sim.stop()
  }
  return file
}

/** The app's sync, as `cache.sync` runs it: a worker thread with its own REST client. */
export async function appSync(sim: SimProcess, dbFile: string, mode: SyncMode): Promise<SyncResult> {
  openDatabase(dbFile).close()
  return runSyncInWorker({
    dbFile,
    connectionId: 'bench',
    mode,
    source: {
      module: new URL('../../src-main/cache/zstack-source.ts', import.meta.url).href,
      args: { endpoint: sim.baseUrl, accountName: ACCOUNT, password: PASSWORD },
    },
  })
}

/** The baseline: log in, fetch every page, JSON.parse, insert rows, docs and refs per page. */
export async function baselineSync(sim: SimProcess, dbFile: string): Promise<number> {
  const db = openDatabase(dbFile)
  db.pragma('synchronous = NORMAL')
  const session = await login(sim)
  const snapshot = Number(
    db.prepare("INSERT INTO cache_snapshots (connection_id, kind) VALUES ('base', 'full')").run()
      .lastInsertRowid,
  )
  let rows = 0
  for (const name of SYNC_ORDER) {
    const spec = RESOURCES[name]
    const cols = Object.keys(spec.fields)
    const insert = db.prepare(
      `INSERT INTO ${spec.table} (snapshot_id, ${cols.map((c) => `"${c}"`).join(', ')}) VALUES (?, ${cols.map(() => '?').join(', ')})`,
    )
    const doc = db.prepare(`INSERT INTO ${spec.table}_doc (id, doc) VALUES (?, ?)`)
    const refSpec = spec.ownedRefs ? spec.nested[spec.ownedRefs]! : null
    const refCols = refSpec ? Object.keys(refSpec.fields) : []
    const ref = refSpec
      ? db.prepare(
          `INSERT INTO ${refSpec.table} (snapshot_id, parent_id, ${refCols.map((c) => `"${c}"`).join(', ')}) VALUES (?, ?, ${refCols.map(() => '?').join(', ')})`,
        )
      : null
    for (let start = 0; ; start += DEFAULT_PAGE_SIZE) {
      const res = await fetch(
        `${sim.baseUrl}${spec.path}?limit=${DEFAULT_PAGE_SIZE}&start=${start}${start === 0 ? '&replyWithCount=true' : ''}`,
        {
          headers: { authorization: `OAuth ${session}` },
        },
      )
      const page = JSON.parse(await res.text()) as { inventories: Record<string, unknown>[] }
      db.transaction(() => {
        for (const inv of page.inventories) {
          const id = insert.run(snapshot, ...columnValues(spec.fields, inv)).lastInsertRowid
          doc.run(id, JSON.stringify(inv))
          for (const r of (refSpec ? (inv[spec.ownedRefs!] as Record<string, unknown>[]) : []) ?? []) {
            ref!.run(snapshot, id, ...columnValues(refSpec!.fields, r))
          }
        }
      })()
      rows += page.inventories.length
      if (page.inventories.length < DEFAULT_PAGE_SIZE) break
    }
  }
  db.close()
  return rows
}

/** Samples this process's RSS while `work` runs (worker threads share it). */
export async function withPeakRss<T>(
  work: () => Promise<T>,
): Promise<{ value: T; peakRssMb: number; ms: number }> {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 20)
  const t0 = performance.now()
  try {
    const value = await work()
    return {
      value,
      ms: performance.now() - t0,
      peakRssMb: Math.max(peak, process.memoryUsage.rss()) / 2 ** 20,
    }
  } finally {
    clearInterval(timer)
  }
}

export function emit(result: {
  bench: string
  value: number
  unit: string
  baseline: number
  ratio: number
  /** api-load: a trivial call's worst latency while under load. */
  probeMaxMs?: number
}): void {
  console.log(JSON.stringify(result))
}

/** Runs `fn` `warmups` times untimed, then `runs` times; the milliseconds of each timed run. */
export function timeRuns(fn: () => unknown, runs: number, warmups = 3): number[] {
  for (let i = 0; i < warmups; i++) fn()
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    fn()
    out.push(performance.now() - t0)
  }
  return out
}
