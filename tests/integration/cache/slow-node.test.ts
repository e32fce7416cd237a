import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CacheQueryAnswer, OperationFinished } from '../../../src-main/api/contract/index.js'
import { CacheService } from '../../../src-main/cache/service.js'
import { zstackCacheBackend } from '../../../src-main/cache/zstack-backend.js'
import { ZStackInventorySource } from '../../../src-main/cache/zstack-source.js'
import type { Services } from '../../../src-main/services.js'
import { testServices } from '../../harness/services.js'
import { SIM_PASSWORD, type Simulator, startTestSimulator } from '../../harness/simulator.js'

/**
 * A node that answers too slowly is treated like an unreachable one: the query is answered from the
 * cache, saying why (the timeout and its length) and how old the rows are. Stopping the wait on
 * purpose stays a cancel.
 */
let sim: Simulator
let svc: Services & { logLines: string[]; removeDir(): void }
let connectionId: string
let cache: CacheService
const NODE_TIMEOUT_MS = 1000

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 'demo' })
  svc = testServices()
  const r = await svc.router.dispatch(
    'zstack.connect',
    { endpoint: sim.baseUrl, password: SIM_PASSWORD },
    { transport: 'cli' },
  )
  if (!r.ok) throw new Error(r.error.message.en)
  connectionId = (r.value as { connectionId: string }).connectionId
  const finished = new Promise<OperationFinished>((resolve) =>
    svc.bus.subscribe((name, payload) => name === 'op.finished' && resolve(payload as OperationFinished)),
  )
  svc.cache.startSync(connectionId, 'full')
  expect((await finished).outcome).toBe('succeeded')
  cache = new CacheService({
    db: svc.db,
    dbFile: `${svc.dataDir}/zsdr.sqlite`,
    ops: svc.ops,
    bus: svc.bus,
    log: svc.log,
    backend: zstackCacheBackend(svc.zstack, svc.vault),
    nodeTimeoutMs: NODE_TIMEOUT_MS,
  })
})

afterAll(async () => {
  await cache?.close()
  await svc?.close()
  svc?.removeDir()
  await sim?.close()
})

describe('a slow management node', () => {
  it('answers from the cache after the node timeout, saying why and how old the rows are', async () => {
    const stop = sim.faults.add({
      method: 'GET',
      path: '/v1/volume-backups',
      times: 10,
      fault: { kind: 'slow', delayMs: 15_000 },
    })
    const started = Date.now()
    const answer: CacheQueryAnswer = await cache.query({
      connectionId,
      resource: 'volumeBackups',
      q: [],
      replyWithCount: true,
    })
    stop()
    expect(Date.now() - started).toBeLessThan(5000)
    expect(answer.source).toBe('cache')
    expect(answer.total).toBe(5)
    expect(answer.nodeError?.code).toBe('zstack.timeout')
    expect(answer.nodeError?.message.en).toContain('within 1 s')
    expect(answer.cache.syncedAt).not.toBeNull()
    expect(answer.cache.ageSeconds).toBeGreaterThanOrEqual(0)
  })

  it('a wait the caller stops itself stays a cancel, not a timeout', async () => {
    const stop = sim.faults.add({
      method: 'GET',
      path: '/v1/volume-backups',
      fault: { kind: 'slow', delayMs: 15_000 },
    })
    const source = new ZStackInventorySource(svc.zstack.clientFor(connectionId))
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    await expect(
      source.query('/v1/volume-backups', { conditions: [] }, controller.signal),
    ).rejects.toMatchObject({ code: 'zstack.cancelled' })
    stop()
    sim.faults.add({ method: 'GET', path: '/v1/volume-backups', fault: { kind: 'slow', delayMs: 15_000 } })
    // An abort because time ran out (AbortSignal.timeout) is a timeout.
    const timedOut = source.query('/v1/volume-backups', { conditions: [] }, AbortSignal.timeout(300))
    await expect(timedOut).rejects.toMatchObject({ code: 'zstack.timeout' })
  })
})
