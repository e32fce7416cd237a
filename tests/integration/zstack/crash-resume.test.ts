import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventBus } from '../../../src-main/api/event-bus.js'
import { OperationRegistry } from '../../../src-main/api/operations.js'
import { type Database, openDatabase } from '../../../src-main/db/index.js'
import { MemoryStore } from '../../../src-main/vault/secret-store.js'
import { Vault } from '../../../src-main/vault/vault.js'
import { ZStackService } from '../../../src-main/zstack/service.js'
import { type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'
import { makeTempDir } from '../../harness/temp.js'

/**
 * The app crashes after sending an async call and before the node's reply: the job stays `sending`.
 * At the next start it is polled by the X-Job-UUID the app chose: a job the node knows is followed
 * to its end; one the node never saw (404) is failed as "never received" (retrying is the user's call).
 */
const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url))
let sim: Simulator
const dir = makeTempDir('zstack-crash')
const dbFile = join(dir.path, 'zsdr.sqlite')

beforeAll(async () => {
  sim = await startTestSimulator({ jobLatencyMs: 300 })
})
afterAll(async () => {
  await sim?.close()
  dir.remove()
})

function restarted(db: Database): ZStackService {
  const bus = new EventBus()
  return new ZStackService({
    db,
    bus,
    ops: new OperationRegistry(bus),
    vault: new Vault(new MemoryStore()),
    clientDefaults: { requestTimeoutMs: 500, poll: { initialMs: 20, maxMs: 100, factor: 1.5 } },
  })
}

describe('jobs left `sending` by a crash', () => {
  it('a job the node received is re-attached by its UUID and followed to its end, never resent', async () => {
    // The node handles the call at once but its 202 takes 30 s to come back: the crash lands in between.
    sim.faults.add({
      method: 'POST',
      path: '/v1/database-backups',
      fault: { kind: 'lateReply', delayMs: 30_000 },
    })
    const child = spawn(process.execPath, [
      '--import',
      'tsx',
      CHILD,
      dir.path,
      sim.baseUrl,
      seeded(sim).bsLocal.uuid,
    ])
    let err = ''
    child.stderr.on('data', (d) => {
      err += d
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    await expect
      .poll(() => sim.requests.some((r) => r.method === 'POST' && r.path.endsWith('/database-backups')), {
        timeout: 30_000,
        interval: 50,
      })
      .toBe(true)
    await new Promise((r) => setTimeout(r, 100))
    child.kill('SIGKILL')
    await exited
    const db = openDatabase(dbFile)
    try {
      const service = restarted(db)
      const [job] = service.listJobs()
      expect(job, err).toMatchObject({ state: 'sending', api: 'CreateDatabaseBackup' })
      // Past the longest a send may take, so no live process can still be sending it.
      await new Promise((r) => setTimeout(r, 600))
      expect(service.resumeUnfinished()).toEqual({ reattached: 1, unconfirmed: 1 })
      await expect.poll(() => service.listJobs()[0]?.state, { timeout: 10_000 }).toBe('succeeded')
      const done = service.listJobs()[0]!
      expect(done.jobUuid).toBe(job!.jobUuid)
      expect((done.result as { inventory: { name: string } }).inventory.name).toBe('sent-before-crash')
      expect(sim.state.databaseBackups.rows.filter((b) => b.name === 'sent-before-crash')).toHaveLength(1)
      expect(
        sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/database-backups')),
      ).toHaveLength(1)
      await service.close()
    } finally {
      db.close()
    }
  }, 60_000)

  it('a job the node never received (404 for its UUID) is failed as never received, not resent', async () => {
    const db = openDatabase(dbFile)
    try {
      const service = restarted(db)
      const jobUuid = 'f'.repeat(32)
      service.jobs.started({
        jobUuid,
        connectionId: null,
        endpoint: sim.baseUrl,
        api: 'CreateDatabaseBackup',
        method: 'POST',
        path: '/v1/database-backups',
        targetUuid: null,
      })
      // A send still in flight in another process (younger than a send can take) is left alone.
      expect(service.resumeUnfinished()).toEqual({ reattached: 0, unconfirmed: 0 })
      await new Promise((r) => setTimeout(r, 600))
      const posts = sim.requests.filter((r) => r.method === 'POST').length
      expect(service.resumeUnfinished()).toEqual({ reattached: 1, unconfirmed: 1 })
      await expect.poll(() => service.jobs.get(jobUuid)?.state, { timeout: 10_000 }).toBe('failed')
      const job = service.jobs.get(jobUuid)!
      expect(job.error?.code).toBe('zstack.job_not_received')
      expect(job.error?.message.en).toMatch(/never received/)
      expect(job.error?.message.zh).toMatch(/未收到/)
      expect(sim.requests.filter((r) => r.method === 'POST').length).toBe(posts)
      await service.close()
    } finally {
      db.close()
    }
  })
})
