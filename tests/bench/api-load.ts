/**
 * `npm run bench -- api-load`: the web host (token check, router, contract validation,
 * `cache.query` answered from the offline cache) under 64 concurrent clients asking for pages of a
 * cached list, against a plain `node:http` server running the same SQLite query on the same
 * database in the same run. A 65th client calls `app.health` every 20 ms against the web host and
 * records its worst latency. Target: p99 ≤ 2× the plain server's; that worst latency < 100 ms.
 * The load generator runs in its own process (`_load-client.ts`).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../../src-main/db/index.js'
import { startWebHost } from '../../src-main/host/web-host.js'
import { createLogger } from '../../src-main/log/logger.js'
import { createServices } from '../../src-main/services.js'
import { MemoryStore } from '../../src-main/vault/secret-store.js'
import { Vault } from '../../src-main/vault/vault.js'
import { volumeBackup } from '../unit/cache/fixtures/memory-server.js'
import { emit } from './_cache-bench.js'
import type { LoadResult, LoadSpec } from './_load-client.js'

const ROWS = 20_000
const PAGE = 50
const CONCURRENCY = 64
const DURATION_MS = 6_000
const WARM_UP_MS = 1_500
const CONNECTION = 'bench'
const root = fileURLToPath(new URL('../..', import.meta.url))

export default async function apiLoad(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'zsdr-bench-api-'))
  const services = createServices({
    dataDir: dir,
    log: createLogger({ level: 'warn' }),
    vault: new Vault(new MemoryStore()),
  })
  const plainDb = openDatabase(join(dir, 'zsdr.sqlite'))
  let host: Awaited<ReturnType<typeof startWebHost>> | null = null
  let plain: Server | null = null
  try {
    seedCache(services.cache.store)
    host = await startWebHost({
      router: services.router,
      bus: services.bus,
      log: services.log,
      staticDir: dir,
    })
    const token = new URLSearchParams(new URL(host.url).hash.slice(1)).get('token') ?? ''
    plain = await startPlainServer(plainDb, services.cache.store.currentSnapshot(CONNECTION)!)
    const bodies = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({
        connectionId: CONNECTION,
        resource: 'volumeBackups',
        q: [],
        limit: PAGE,
        start: ((i * 7919) % (ROWS / PAGE)) * PAGE,
        offline: true,
      }),
    )
    const load = (url: string, probeUrl: string | null, durationMs = DURATION_MS) =>
      runLoad({
        url,
        headers: { authorization: `Bearer ${token}` },
        bodies,
        concurrency: CONCURRENCY,
        durationMs,
        probeUrl,
      })
    const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`
    const oursUrl = `${host.origin}/api/call/cache.query`
    // Both warmed up alike (JIT, prepared statements for each page) before either is measured.
    await load(oursUrl, null, WARM_UP_MS)
    await load(plainUrl, null, WARM_UP_MS)
    const before = loadavg()
    const ours = await load(oursUrl, `${host.origin}/api/call/app.health`)
    const base = await load(plainUrl, null)
    const after = loadavg()
    if (ours.errors || base.errors) throw new Error(`errors: web host ${ours.errors}, plain ${base.errors}`)
    const line = (name: string, r: LoadResult) =>
      `${name.padEnd(10)} ${String(r.requests).padStart(7)} requests  ${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${r.p50Ms.toFixed(1).padStart(7)} ms  p99 ${r.p99Ms.toFixed(1).padStart(7)} ms`
    console.log(
      `${CONCURRENCY} clients, ${DURATION_MS / 1000} s each, pages of ${PAGE} from ${ROWS} cached rows`,
    )
    console.log(line('web host', ours))
    console.log(line('plain', base))
    console.log(`app.health worst latency under load: ${ours.probeMaxMs?.toFixed(1)} ms`)
    console.log(
      `load average (1/5/15 min) before ${before.map((l) => l.toFixed(2)).join(' ')}, after ${after.map((l) => l.toFixed(2)).join(' ')} (shared machine: figures vary with it)`,
    )
    emit({
      bench: 'api-load',
      value: round(ours.p99Ms),
      unit: 'ms',
      baseline: round(base.p99Ms),
      ratio: round(ours.p99Ms / base.p99Ms),
      probeMaxMs: round(ours.probeMaxMs ?? 0),
    })
  } finally {
    await host?.close()
    await new Promise((r) => (plain ? plain.close(r) : r(null)))
    plainDb.close()
    await services.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A published snapshot of `ROWS` volume backups, as a sync leaves it. */
function seedCache(store: ReturnType<typeof createServices>['cache']['store']): void {
  const snapshot = store.createSnapshot(CONNECTION)
  for (let i = 0; i < ROWS; i += 1000) {
    store.insertPage(
      snapshot,
      'volumeBackups',
      Array.from({ length: 1000 }, (_, j) => volumeBackup(i + j)),
    )
  }
  const syncedAt = new Date().toISOString()
  store.publish(
    CONNECTION,
    snapshot,
    [{ resource: 'volumeBackups', count: ROWS, syncedAt, highWater: null, error: null }],
    { kind: 'full', outcome: 'complete', error: null },
  )
}

/**
 * The baseline: the same page by the same SQL (the page's ids, then their docs: joining first would
 * read the docs of every skipped row), docs parsed and the reply serialised, nothing else.
 */
function startPlainServer(db: ReturnType<typeof openDatabase>, snapshot: number): Promise<Server> {
  const ids = db
    .prepare('SELECT id FROM cache_volume_backups WHERE snapshot_id = ? ORDER BY id LIMIT ? OFFSET ?')
    .pluck()
  const docsOf = db
    .prepare(
      'SELECT d.doc FROM json_each(?) j JOIN cache_volume_backups_doc d ON d.id = j.value ORDER BY j.key',
    )
    .pluck()
  const server = createServer(async (req, res) => {
    const { limit, start } = JSON.parse(await readAll(req)) as { limit: number; start: number }
    const docs = docsOf.all(JSON.stringify(ids.all(snapshot, limit, start))) as string[]
    const body = JSON.stringify({ ok: true, value: { inventories: docs.map((d) => JSON.parse(d)) } })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(body)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'node_modules/tsx/dist/cli.mjs'),
        join(root, 'tests/bench/_load-client.ts'),
        JSON.stringify(spec),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult)
        : reject(new Error(`load client exited ${code}`)),
    )
  })
}

function round(n: number): number {
  return Number(n.toFixed(1))
}
