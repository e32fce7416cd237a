import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  rawLogin,
  SIM_PASSWORD_DIGEST,
  type Simulator,
  seeded,
  startTestSimulator,
} from '../../harness/simulator.js'
import { JobStore } from '../../sim/jobs.js'

const GSON = /^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} (AM|PM)$/

let sim: Simulator
let session: string
const auth = () => ({ authorization: `OAuth ${session}` })

beforeAll(async () => {
  sim = await startTestSimulator({ jobTtlMs: 60_000 })
  session = await rawLogin(sim)
})
afterAll(() => sim.close())

async function pollUntilDone(location: string): Promise<Response> {
  for (let i = 0; i < 200; i++) {
    const r = await fetch(location)
    if (r.status !== 202) return r
    expect(await r.text()).toBe('')
    await new Promise((res) => setTimeout(res, 10))
  }
  throw new Error('job never finished')
}

function createDbBackup(headers: Record<string, string> = {}) {
  return fetch(`${sim.baseUrl}/v1/database-backups`, {
    method: 'POST',
    headers: { ...auth(), ...headers },
    body: JSON.stringify({ params: { name: 'db-x', backupStorageUuid: seeded(sim).bsLocal.uuid } }),
  })
}

describe('simulator: login, logout, sessions', () => {
  it('logs in with the SHA-512 digest and answers a Gson-dated session inventory', async () => {
    const r = await fetch(`${sim.baseUrl}/v1/accounts/login`, {
      method: 'PUT',
      body: JSON.stringify({ logInByAccount: { accountName: 'admin', password: SIM_PASSWORD_DIGEST } }),
    })
    expect(r.status).toBe(200)
    const inv = ((await r.json()) as { inventory: Record<string, string> }).inventory
    expect(inv.uuid).toMatch(/^[0-9a-f]{32}$/)
    expect(inv).toHaveProperty('accountUuid')
    expect(inv).toHaveProperty('userUuid')
    expect(inv.expiredDate).toMatch(GSON)
    expect(inv.createDate).toMatch(GSON)
  })

  it('a wrong password is 503 ID.1000; the manual key loginByAccount is 400', async () => {
    const wrong = await fetch(`${sim.baseUrl}/v1/accounts/login`, {
      method: 'PUT',
      body: JSON.stringify({ logInByAccount: { accountName: 'admin', password: 'password' } }),
    })
    expect(wrong.status).toBe(503)
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('ID.1000')
    const key = await fetch(`${sim.baseUrl}/v1/accounts/login`, {
      method: 'PUT',
      body: JSON.stringify({ loginByAccount: { accountName: 'admin', password: SIM_PASSWORD_DIGEST } }),
    })
    expect(key.status).toBe(400)
    expect(key.headers.get('content-type')).toMatch(/text\/plain/)
  })

  it('session valid check, then logout makes it invalid', async () => {
    const s = await rawLogin(sim)
    const valid = await fetch(`${sim.baseUrl}/v1/accounts/sessions/${s}/valid`)
    expect(await valid.json()).toEqual({ valid: true })
    const out = await fetch(`${sim.baseUrl}/v1/accounts/sessions/${s}`, { method: 'DELETE' })
    expect(out.status).toBe(200)
    const after = await fetch(`${sim.baseUrl}/v1/accounts/sessions/${s}/valid`)
    expect(await after.json()).toEqual({ valid: false })
  })

  it('an idle session expires after --session-ttl: sync 503 ID.1001, async 202 then 503 ID.1001', async () => {
    const short = await startTestSimulator({ sessionTtlSeconds: 60 })
    try {
      const s = await rawLogin(short)
      short.advanceClock(61_000)
      const sync = await fetch(`${short.baseUrl}/v1/zones`, { headers: { authorization: `OAuth ${s}` } })
      expect(sync.status).toBe(503)
      expect(((await sync.json()) as { error: { code: string } }).error.code).toBe('ID.1001')
      const s2 = await rawLogin(short)
      short.advanceClock(61_000)
      const asyncCall = await fetch(`${short.baseUrl}/v1/database-backups`, {
        method: 'POST',
        headers: { authorization: `OAuth ${s2}` },
        body: JSON.stringify({ params: { name: 'x', backupStorageUuid: seeded(short).bsLocal.uuid } }),
      })
      expect(asyncCall.status).toBe(202)
      const { location } = (await asyncCall.json()) as { location: string }
      const done = await pollUntilDone(location)
      expect(done.status).toBe(503)
      expect(((await done.json()) as { error: { code: string } }).error.code).toBe('ID.1001')
      expect(short.state.databaseBackups.rows.some((b) => b.name === 'x')).toBe(false)
    } finally {
      await short.close()
    }
  })
})

describe('simulator: headers and plain-text errors', () => {
  it('missing Authorization is a plain-text 400; another scheme too', async () => {
    const none = await fetch(`${sim.baseUrl}/v1/zones`)
    expect(none.status).toBe(400)
    expect(none.headers.get('content-type')).toMatch(/text\/plain/)
    expect(await none.text()).toMatch(/Authorization/)
    const basic = await fetch(`${sim.baseUrl}/v1/zones`, { headers: { authorization: `Bearer ${session}` } })
    expect(basic.status).toBe(400)
  })

  it('an unknown session id is 503 ID.1001 on a sync call', async () => {
    const r = await fetch(`${sim.baseUrl}/v1/zones`, {
      headers: { authorization: `OAuth ${'0'.repeat(32)}` },
    })
    expect(r.status).toBe(503)
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('ID.1001')
  })

  it('X-Job-UUID of any length but 32 is 400; 32 chars name the job', async () => {
    const bad = await createDbBackup({ 'X-Job-UUID': 'd825b1a2-6f4e-474b-8c59-306081920ff2' })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toMatch(/text\/plain/)
    const id = 'a'.repeat(32)
    const ok = await createDbBackup({ 'X-Job-UUID': id })
    expect(ok.status).toBe(202)
    expect(((await ok.json()) as { location: string }).location).toBe(`${sim.baseUrl}/v1/api-jobs/${id}`)
  })

  // zstackio/zstack 3.0.0 RestServer.handle: "no api mapping to %s" (404); handleJobQuery: only GET (405);
  // handleNonUniqueApi: PUT picks the action by body key (400), an unknown method is 405.
  it('unknown path 404 plain text; only the poll URL and unknown methods answer 405', async () => {
    const unknown = await fetch(`${sim.baseUrl}/v1/no-such-thing`, { headers: auth() })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toMatch(/text\/plain/)
    const put = await fetch(`${sim.baseUrl}/v1/database-backups`, {
      method: 'PUT',
      headers: auth(),
      body: '{}',
    })
    expect(put.status).toBe(400)
    expect(await put.text()).toMatch(/doesn't contain action mapping/)
    const patch = await fetch(`${sim.baseUrl}/v1/database-backups`, { method: 'PATCH', headers: auth() })
    expect(patch.status).toBe(405)
    const poll = await fetch(`${sim.baseUrl}/v1/api-jobs/${'b'.repeat(32)}`, { method: 'POST' })
    expect(poll.status).toBe(405)
    expect(await poll.text()).toBe('only GET method is allowed for querying job status')
  })

  // RestServer.handleUniqueApi: the only API of a path runs whatever the method.
  it('a path with one API runs it whatever the method', async () => {
    const vol = sim.state.volumes.rows[0]!
    const r = await fetch(`${sim.baseUrl}/v1/volumes/${vol.uuid}/volume-backups`, {
      method: 'PUT',
      headers: auth(),
      body: JSON.stringify({ params: { name: 'by-put', backupStorageUuid: seeded(sim).bsLocal.uuid } }),
    })
    expect(r.status).toBe(202)
    const done = await pollUntilDone(((await r.json()) as { location: string }).location)
    expect(done.status).toBe(200)
    const valid = await fetch(`${sim.baseUrl}/v1/accounts/sessions/${session}/valid`, { method: 'POST' })
    expect(await valid.json()).toEqual({ valid: true })
  })

  // RestServer.handle: the body is read as JSON before anything (JSONObjectUtil.toObject); a
  // failure is caught as Throwable → 500 with the exception's message.
  it('a body that is not JSON is a 500; a body field of the wrong type a plain-text 400', async () => {
    const json = await fetch(`${sim.baseUrl}/v1/database-backups`, {
      method: 'POST',
      headers: auth(),
      body: '{nope',
    })
    expect(json.status).toBe(500)
    const type = await fetch(`${sim.baseUrl}/v1/database-backups`, {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({ params: { name: 42, backupStorageUuid: seeded(sim).bsLocal.uuid } }),
    })
    expect(type.status).toBe(400)
    expect(await type.text()).toMatch(/name/)
  })

  // RestServer.handleNonUniqueApi: "the body doesn't contain action mapping to the URL" (400).
  it('a PUT whose action key is unknown is 400 where several actions share the path', async () => {
    const b = sim.state.volumeBackups.rows[0]!
    const r = await fetch(`${sim.baseUrl}/v1/volume-backups/${b.uuid}/actions`, {
      method: 'PUT',
      headers: auth(),
      body: JSON.stringify({ frobnicate: {} }),
    })
    expect(r.status).toBe(400)
  })
})

describe('simulator: async jobs', () => {
  it('202 + location, 202 empty while running, then 200 + result with integer sizes and Gson dates', async () => {
    const slow = await startTestSimulator({ jobLatencyMs: 400 })
    const s = await rawLogin(slow)
    const r = await fetch(`${slow.baseUrl}/v1/database-backups`, {
      method: 'POST',
      headers: { authorization: `OAuth ${s}` },
      body: JSON.stringify({ params: { name: 'db-y', backupStorageUuid: seeded(slow).bsLocal.uuid } }),
    })
    expect(r.status).toBe(202)
    const { location } = (await r.json()) as { location: string }
    expect(location).toMatch(/\/zstack\/v1\/api-jobs\/[0-9a-f]{32}$/)
    const first = await fetch(location)
    expect(first.status).toBe(202)
    // While the job runs the backup exists with status Creating.
    expect(slow.state.databaseBackups.rows.find((b) => b.name === 'db-y')?.status).toBe('Creating')
    const done = await pollUntilDone(location)
    await slow.close()
    expect(done.status).toBe(200)
    const inv = ((await done.json()) as { inventory: Record<string, unknown> }).inventory
    expect(Number.isInteger(inv.size)).toBe(true)
    expect(inv.createDate).toMatch(GSON)
    expect(inv.status).toBe('Ready')
  })

  it('a failing job answers 503 with the cause chain', async () => {
    const r = await fetch(`${sim.baseUrl}/v1/database-backups`, {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({ params: { name: 'x', backupStorageUuid: seeded(sim).bsBroken.uuid } }),
    })
    const done = await pollUntilDone(((await r.json()) as { location: string }).location)
    expect(done.status).toBe(503)
    const { error } = (await done.json()) as {
      error: Record<string, unknown> & { cause: { cause: Record<string, unknown> & { code: string } } }
    }
    // Gson without serializeNulls (RestServer.sendResponse → JSONObjectUtil.toJsonString): null keys are left out.
    expect(Object.keys(error).sort()).toEqual(['cause', 'code', 'description', 'details'])
    expect(error.cause.cause.code).toBe('SYS.1000')
    expect(Object.keys(error.cause.cause)).not.toContain('cause')
  })

  // conf/globalConfig/rest.xml completedApi.expiredPeriod = 10800; MysqlAsyncRestStore.cleanup deletes
  // done jobs with createDate < NOW() - period: counted from the creation, not the finish.
  it('finished jobs are deleted the job ttl after their creation, then 404 "expired"', async () => {
    let t = 0
    const store = new JobStore(1000, () => t)
    const job = store.create('e'.repeat(32), 'CreateDatabaseBackup', null)
    t = 900
    store.finish(job, 200, '{}')
    t = 1001
    expect(store.get(job.uuid)).toBeNull()
    const running = store.create('f'.repeat(32), 'CreateDatabaseBackup', null)
    t = 5000
    expect(store.get(running.uuid)).not.toBeNull()
  })

  it('through HTTP: 200 while kept, then 404 "the job has been expired"', async () => {
    const r = await createDbBackup()
    const { location } = (await r.json()) as { location: string }
    expect((await pollUntilDone(location)).status).toBe(200)
    expect((await fetch(location)).status).toBe(200)
    sim.advanceClock(61_000)
    const gone = await fetch(location)
    expect(gone.status).toBe(404)
    expect(await gone.text()).toMatch(/expired/)
  })

  it('delete answers 200 with an empty body', async () => {
    const b = seeded(sim).databaseBackup('db-backup-before-upgrade')
    const r = await fetch(`${sim.baseUrl}/v1/database-backups/${b.uuid}`, {
      method: 'DELETE',
      headers: auth(),
    })
    const done = await pollUntilDone(((await r.json()) as { location: string }).location)
    expect(done.status).toBe(200)
    expect(await done.text()).toBe('')
  })
})

describe('simulator: webhooks', () => {
  let hook: Server
  let hookUrl: string
  const received: { headers: Record<string, unknown>; body: string }[] = []
  let failFirst = 0

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        received.push({ headers: req.headers, body })
        if (failFirst > 0) {
          failFirst--
          res.writeHead(500).end()
        } else res.writeHead(200).end()
      })
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/cb`
  })
  afterAll(() => new Promise<void>((r) => hook.close(() => r())))

  it('POSTs the poll body with X-Job-UUID and X-Job-Success, retrying on non-2xx', async () => {
    received.length = 0
    failFirst = 2
    const id = 'c'.repeat(32)
    const r = await createDbBackup({ 'X-Job-UUID': id, 'X-Web-Hook': hookUrl })
    expect(r.status).toBe(202)
    const polled = await pollUntilDone(`${sim.baseUrl}/v1/api-jobs/${id}`)
    const pollBody = await polled.text()
    await expect.poll(() => received.length, { timeout: 3000 }).toBe(3)
    for (const d of received) {
      expect(d.headers['x-job-uuid']).toBe(id)
      expect(d.headers['x-job-success']).toBe('true')
      expect(d.body).toBe(pollBody)
    }
  })

  // RestServer.callWebHook: @RetryCondition(onExceptions = WebHookRetryException, times = 15, interval = 2).
  it('gives up after 15 attempts in all to an unreachable URL', async () => {
    const id = 'd'.repeat(32)
    await createDbBackup({ 'X-Job-UUID': id, 'X-Web-Hook': 'http://127.0.0.1:1/unreachable' })
    await expect
      .poll(() => sim.webhooks.attempts.filter((a) => a.jobUuid === id).length, { timeout: 5000 })
      .toBe(15)
    await new Promise((r) => setTimeout(r, 100))
    expect(sim.webhooks.attempts.filter((a) => a.jobUuid === id).every((a) => a.outcome === 'io-error')).toBe(
      true,
    )
    expect(sim.webhooks.attempts.filter((a) => a.jobUuid === id)).toHaveLength(15)
  })

  it('waits 2 s between attempts by default (interval = 2)', async () => {
    const node = await startTestSimulator({ webhookIntervalMs: undefined })
    try {
      const times: number[] = []
      failFirst = 1
      received.length = 0
      const s = await rawLogin(node)
      await fetch(`${node.baseUrl}/v1/database-backups`, {
        method: 'POST',
        headers: { authorization: `OAuth ${s}`, 'X-Web-Hook': hookUrl },
        body: JSON.stringify({ params: { name: 'db-x', backupStorageUuid: seeded(node).bsLocal.uuid } }),
      })
      await expect
        .poll(
          () => {
            while (times.length < received.length) times.push(Date.now())
            return received.length
          },
          { timeout: 8000, interval: 50 },
        )
        .toBe(2)
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1800)
    } finally {
      await node.close()
    }
  }, 15_000)
})

describe('simulator: fault injection', () => {
  it('503 with a code on a sync call, 500 plain text, malformed body, dropped connection, expired job', async () => {
    sim.faults.add({
      path: '/v1/zones',
      fault: { kind: 'error503', error: { code: 'SYS.1001', cause: { code: 'X.1' } } },
    })
    const e503 = await fetch(`${sim.baseUrl}/v1/zones`, { headers: auth() })
    expect(e503.status).toBe(503)
    expect(((await e503.json()) as { error: { cause: { code: string } } }).error.cause.code).toBe('X.1')

    sim.faults.add({ path: '/v1/zones', fault: { kind: 'error500' } })
    const e500 = await fetch(`${sim.baseUrl}/v1/zones`, { headers: auth() })
    expect(e500.status).toBe(500)
    expect(e500.headers.get('content-type')).toMatch(/text\/plain/)

    sim.faults.add({ path: '/v1/zones', fault: { kind: 'malformed' } })
    const bad = await fetch(`${sim.baseUrl}/v1/zones`, { headers: auth() })
    expect(() => JSON.parse('')).toThrow()
    await expect(bad.json()).rejects.toThrow()

    sim.faults.add({ path: '/v1/zones', fault: { kind: 'drop' } })
    await expect(fetch(`${sim.baseUrl}/v1/zones`, { headers: auth() })).rejects.toThrow()

    sim.faults.add({ path: '/v1/database-backups', method: 'POST', fault: { kind: 'expireJob' } })
    const gone = await createDbBackup()
    expect(gone.status).toBe(202)
    expect((await fetch(((await gone.json()) as { location: string }).location)).status).toBe(404)

    const start = Date.now()
    sim.faults.add({ path: '/v1/zones', fault: { kind: 'slow', delayMs: 150 } })
    expect((await fetch(`${sim.baseUrl}/v1/zones`, { headers: auth() })).status).toBe(200)
    expect(Date.now() - start).toBeGreaterThanOrEqual(140)

    expect((await fetch(`${sim.baseUrl}/v1/zones`, { headers: auth() })).status).toBe(200)
  })
})
