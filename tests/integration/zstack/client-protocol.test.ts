import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventBus } from '../../../src-main/api/event-bus.js'
import { OperationRegistry } from '../../../src-main/api/operations.js'
import { openDatabase } from '../../../src-main/db/index.js'
import { AppError } from '../../../src-main/errors/app-error.js'
import { MemoryStore } from '../../../src-main/vault/secret-store.js'
import { Vault } from '../../../src-main/vault/vault.js'
import { callDr } from '../../../src-main/zstack/dr-api.js'
import { ZStackService } from '../../../src-main/zstack/service.js'
import { WebhookReceiver } from '../../../src-main/zstack/webhook-receiver.js'
import { type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'
import { makeTempDir } from '../../harness/temp.js'
import { simClient } from '../../harness/zstack-client.js'

let sim: Simulator
beforeAll(async () => {
  sim = await startTestSimulator()
})
afterAll(() => sim.close())

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(AppError)
    return e as AppError
  }
  throw new Error('expected a rejection')
}

const createDb = (name: string, bs = seeded(sim).bsLocal.uuid) => ({ name, backupStorageUuid: bs })
const posts = (path: string) => sim.requests.filter((r) => r.method !== 'GET' && r.path.endsWith(path)).length
const logins = () => sim.requests.filter((r) => r.path.endsWith('/accounts/login')).length

describe('client: sessions', () => {
  it('logs in, checks the session, logs out; a wrong password is zstack.login_failed', async () => {
    const { client } = simClient(sim)
    const s = await client.login()
    expect(s.uuid).toMatch(/^[0-9a-f]{32}$/)
    expect(await client.isSessionValid()).toBe(true)
    await client.logout()
    expect(await client.isSessionValid()).toBe(false)
    const { client: wrong } = simClient(sim, { password: () => 'nope' })
    const e = await rejection(wrong.login())
    expect(e.code).toBe('zstack.login_failed')
    expect(e.details).toMatchObject({ serverCode: 'ID.1000' })
    expect(e.text.zh).toMatch(/密码/)
  })

  it('session expiry: logs in again once and retries the call (sync and async)', async () => {
    const { client, jobs } = simClient(sim)
    await client.login()
    sim.sessions.expireAll()
    const before = logins()
    const zones = await client.get<{ inventories: unknown[] }>('/v1/zones', 'QueryZone')
    expect(zones.inventories.length).toBeGreaterThan(0)
    expect(logins()).toBe(before + 1)

    sim.sessions.expireAll()
    const postsBefore = posts('/v1/database-backups')
    const r = await callDr(client, 'CreateDatabaseBackup', createDb('after-relogin'))
    expect(r.inventory.name).toBe('after-relogin')
    expect(logins()).toBe(before + 2)
    // The first send was refused before running (ID.1001 on the poll); the retry is a new job.
    expect(posts('/v1/database-backups')).toBe(postsBefore + 2)
    const states = jobs.list().map((j) => j.state)
    expect(states).toEqual(['succeeded', 'failed'])
    expect(sim.state.databaseBackups.rows.filter((b) => b.name === 'after-relogin')).toHaveLength(1)
  })

  it('a second ID.1001 after the re-login is reported as zstack.session_expired', async () => {
    const { client } = simClient(sim)
    await client.login()
    sim.faults.add({ path: '/v1/zones', times: 2, fault: { kind: 'error503', error: { code: 'ID.1001' } } })
    const e = await rejection(client.get('/v1/zones', 'QueryZone'))
    expect(e.code).toBe('zstack.session_expired')
  })
})

describe('client: async jobs', () => {
  it('202 → 200: result returned, job persisted with location and result, X-Job-UUID 32 hex', async () => {
    const { client, jobs } = simClient(sim)
    const r = await callDr(client, 'CreateDatabaseBackup', createDb('client-ok'))
    expect(r.inventory.status).toBe('Ready')
    const [job] = jobs.list()
    expect(job).toMatchObject({ api: 'CreateDatabaseBackup', method: 'POST', state: 'succeeded' })
    expect(job!.location).toMatch(/\/v1\/api-jobs\/[0-9a-f]{32}$/)
    expect((job!.result as { inventory: { name: string } }).inventory.name).toBe('client-ok')
    expect(job!.finishedAt).not.toBeNull()
    const sent = sim.requests.filter((q) => q.method === 'POST' && q.jobUuid === job!.jobUuid)
    expect(sent).toHaveLength(1)
    expect(job!.jobUuid).toMatch(/^[0-9a-f]{32}$/)
  })

  it('202 → 503: zstack.server_error keeps the code and the whole cause chain', async () => {
    const { client, jobs } = simClient(sim)
    const e = await rejection(
      callDr(client, 'CreateDatabaseBackup', createDb('x', seeded(sim).bsBroken.uuid)),
    )
    expect(e.code).toBe('zstack.server_error')
    expect(e.details).toMatchObject({ serverCode: 'SYS.1006', causes: ['SYS.1006', 'SYS.1000'] })
    expect(e.text.en).toMatch(/Root cause SYS.1000: unable to connect/)
    expect(e.text.zh).toMatch(/根本原因/)
    const error = (e.details as { error: { cause: { cause: { code: string } } } }).error
    expect(error.cause.cause.code).toBe('SYS.1000')
    expect(jobs.list()[0]).toMatchObject({ state: 'failed', error: { code: 'zstack.server_error' } })
  })

  it('404 on the poll: zstack.job_expired, said plainly; job marked expired', async () => {
    const { client, jobs } = simClient(sim)
    sim.faults.add({ path: '/v1/database-backups', method: 'POST', fault: { kind: 'expireJob' } })
    const e = await rejection(callDr(client, 'CreateDatabaseBackup', createDb('x')))
    expect(e.code).toBe('zstack.job_expired')
    expect(e.text.en).toMatch(/no longer knows this job/)
    expect(jobs.list()[0]!.state).toBe('expired')
  })

  it('connection dropped mid-poll: polling resumes; the POST was sent once', async () => {
    const { client } = simClient(sim)
    const before = posts('/v1/database-backups')
    sim.faults.add({ path: '/v1/api-jobs/', times: 3, fault: { kind: 'drop' } })
    const r = await callDr(client, 'CreateDatabaseBackup', createDb('survives-drops'))
    expect(r.inventory.name).toBe('survives-drops')
    expect(posts('/v1/database-backups')).toBe(before + 1)
  })

  it('connection dropped on the send: zstack.outcome_unknown, never resent, job unknown', async () => {
    const { client, jobs } = simClient(sim)
    await client.login()
    const before = posts('/v1/database-backups')
    sim.faults.add({ path: '/v1/database-backups', method: 'POST', fault: { kind: 'drop' } })
    const e = await rejection(callDr(client, 'CreateDatabaseBackup', createDb('maybe')))
    expect(e.code).toBe('zstack.outcome_unknown')
    expect(e.text.en).toMatch(/not sent again/)
    expect(posts('/v1/database-backups')).toBe(before + 1)
    expect(jobs.list()[0]!.state).toBe('unknown')
  })

  it('per-call timeout: zstack.timeout, job detached (may still run)', async () => {
    const slow = await startTestSimulator({ jobLatencyMs: 3000 })
    try {
      const { client, jobs } = simClient(slow)
      const e = await rejection(
        callDr(client, 'CreateDatabaseBackup', createDb('slow', seeded(slow).bsLocal.uuid), {
          timeoutMs: 300,
        }),
      )
      expect(e.code).toBe('zstack.timeout')
      expect(e.text.en).toMatch(/may still be running/)
      expect(jobs.list()[0]!.state).toBe('detached')
    } finally {
      await slow.close()
    }
  })

  it('cancel = stop waiting; says the node may still run the job', async () => {
    const slow = await startTestSimulator({ jobLatencyMs: 3000 })
    try {
      const { client, jobs } = simClient(slow)
      const ac = new AbortController()
      setTimeout(() => ac.abort(), 150)
      const e = await rejection(
        callDr(client, 'CreateDatabaseBackup', createDb('cancelled', seeded(slow).bsLocal.uuid), {
          signal: ac.signal,
        }),
      )
      expect(e.code).toBe('zstack.cancelled')
      expect(e.text.en).toMatch(/may still be running/)
      expect(jobs.list()[0]!.state).toBe('detached')
      // The node did start it.
      expect(slow.state.databaseBackups.rows.some((b) => b.name === 'cancelled')).toBe(true)
    } finally {
      await slow.close()
    }
  })
})

describe('client: HTTP failures become typed errors', () => {
  it('plain-text 400/404/500, malformed JSON, connection refused', async () => {
    const { client } = simClient(sim)
    const bad = await rejection(client.get('/v1/zones?limit=ten', 'QueryZone'))
    expect(bad.code).toBe('zstack.bad_request')
    expect(bad.text.en).toMatch(/limit must be a non-negative integer/)
    expect((await rejection(client.get('/v1/nothing-here', 'X'))).code).toBe('zstack.not_found')
    sim.faults.add({ path: '/v1/zones', fault: { kind: 'error500' } })
    const internal = await rejection(client.get('/v1/zones', 'QueryZone'))
    expect(internal.code).toBe('zstack.internal_error')
    expect(internal.details).toMatchObject({ status: 500 })
    sim.faults.add({ path: '/v1/zones', fault: { kind: 'malformed' } })
    expect((await rejection(client.get('/v1/zones', 'QueryZone'))).code).toBe('zstack.malformed_reply')

    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    const { client: nowhere } = simClient({ ...sim, baseUrl: `http://127.0.0.1:${port}/zstack` })
    const refused = await rejection(nowhere.login())
    expect(refused.code).toBe('zstack.connection_refused')
    expect(refused.text.zh).toMatch(/没有服务在监听/)
  })

  it('TLS failure and a slow sync reply become zstack.tls_error and zstack.timeout', async () => {
    // https to a plain-http port: the handshake fails.
    const { client: tls } = simClient({ ...sim, baseUrl: sim.baseUrl.replace('http:', 'https:') })
    const e = await rejection(tls.login())
    expect(e.code).toBe('zstack.tls_error')
    expect(e.text.zh).toMatch(/TLS/)
    const { client } = simClient(sim, { requestTimeoutMs: 200 })
    await client.login()
    sim.faults.add({ path: '/v1/zones', fault: { kind: 'slow', delayMs: 1000 } })
    const slow = await rejection(client.get('/v1/zones', 'QueryZone'))
    expect(slow.code).toBe('zstack.timeout')
    expect(slow.text.en).not.toMatch(/re-attached/)
  })

  it('never leaks the password or session id in errors', async () => {
    const { client } = simClient(sim)
    const s = await client.login()
    sim.faults.add({
      path: '/v1/zones',
      fault: {
        kind: 'error503',
        error: { code: 'SYS.1001', details: `session ${s.uuid} password password` },
      },
    })
    const e = await rejection(client.get('/v1/zones', 'QueryZone'))
    const all = JSON.stringify(e.toEnvelope())
    expect(all).not.toContain(s.uuid)
    expect(all).not.toContain('password password')
  })
})

describe('client: webhooks', () => {
  it('webhook delivered: the result arrives without waiting for the (slow) poll', async () => {
    const hook = new WebhookReceiver({ bindHost: '127.0.0.1' })
    try {
      const { client } = simClient(sim, { webhook: hook, poll: { initialMs: 10_000, maxMs: 10_000 } })
      await client.login()
      const started = Date.now()
      const r = await callDr(client, 'CreateDatabaseBackup', createDb('via-webhook'))
      expect(r.inventory.name).toBe('via-webhook')
      expect(Date.now() - started).toBeLessThan(5000)
      expect(hook.stats.accepted).toBe(1)
    } finally {
      await hook.close()
    }
  })

  it('webhook lost (node cannot reach it): polling still completes', async () => {
    // Bound on 127.0.0.1 but announced as 127.0.0.2: the node's callbacks are refused.
    const hook = new WebhookReceiver({ bindHost: '127.0.0.1', publicHost: '127.0.0.2' })
    try {
      const { client } = simClient(sim, { webhook: hook })
      const r = await callDr(client, 'CreateDatabaseBackup', createDb('webhook-lost'))
      expect(r.inventory.name).toBe('webhook-lost')
      expect(hook.stats.accepted).toBe(0)
    } finally {
      await hook.close()
    }
  })

  it('ignores deliveries for jobs it did not start and requests without the secret path', async () => {
    const hook = new WebhookReceiver()
    try {
      const url = await hook.start()
      const stranger = await fetch(url, {
        method: 'POST',
        headers: { 'x-job-uuid': 'e'.repeat(32) },
        body: '{}',
      })
      expect(stranger.status).toBe(204)
      const guess = await fetch(url.replace(/[0-9a-f]+$/, 'guess'), { method: 'POST', body: '{}' })
      expect(guess.status).toBe(404)
      expect(hook.stats).toEqual({ accepted: 0, ignored: 1, rejected: 1 })
    } finally {
      await hook.close()
    }
  })
})

describe('service: restart mid-job', () => {
  it('re-attaches to an unfinished job from the database and records its result', async () => {
    const slow = await startTestSimulator({ jobLatencyMs: 1500 })
    const dir = makeTempDir('zstack-restart')
    const file = `${dir.path}/zsdr.sqlite`
    const clientDefaults = { poll: { initialMs: 20, maxMs: 100, factor: 1.5 } }
    // One keychain outlives both app runs, as the OS keychain does.
    const vault = new Vault(new MemoryStore())
    try {
      const db1 = openDatabase(file)
      const bus1 = new EventBus()
      const first = new ZStackService({
        db: db1,
        bus: bus1,
        ops: new OperationRegistry(bus1),
        vault,
        clientDefaults,
      })
      const conn = await first.connect({ endpoint: slow.baseUrl, accountName: 'admin', password: 'password' })
      first.startDr({
        connectionId: conn.connectionId,
        api: 'CreateDatabaseBackup',
        params: createDb('across-restart', seeded(slow).bsLocal.uuid),
      })
      await expect.poll(() => first.listJobs()[0]?.state, { timeout: 3000 }).toBe('running')
      await first.close()
      db1.close()

      const db2 = openDatabase(file)
      const bus2 = new EventBus()
      const updates: string[] = []
      bus2.subscribe((name, payload) => {
        if (name === 'zstack.job.updated') updates.push((payload as { state: string }).state)
      })
      const second = new ZStackService({
        db: db2,
        bus: bus2,
        ops: new OperationRegistry(bus2),
        vault,
        clientDefaults,
      })
      expect(second.listJobs()[0]!.state).toBe('running')
      expect(second.resumeUnfinished()).toEqual({ reattached: 1, unconfirmed: 0 })
      await expect.poll(() => second.listJobs()[0]?.state, { timeout: 5000 }).toBe('succeeded')
      const job = second.listJobs()[0]!
      expect((job.result as { inventory: { name: string } }).inventory.name).toBe('across-restart')
      expect(updates.at(-1)).toBe('succeeded')
      // Polled again, not sent again.
      expect(
        slow.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/database-backups')),
      ).toHaveLength(1)
      await second.close()
      db2.close()
    } finally {
      await slow.close()
      dir.remove()
    }
  })
})
