import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogEnd, LogLine } from '../../../src-main/api/contract/index.js'
import type { Services } from '../../../src-main/services.js'
import { testServices } from '../../harness/services.js'
import { type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'

let sim: Simulator
let svc: Services & { logLines: string[]; removeDir(): void }
let connectionId: string

beforeAll(async () => {
  sim = await startTestSimulator({ jobLatencyMs: 20 })
  svc = testServices()
})
afterAll(async () => {
  await svc.close()
  svc.removeDir()
  await sim.close()
})

const call = (name: string, req: unknown) => svc.router.dispatch(name, req, { transport: 'cli' })

describe('zstack.* through the router', () => {
  it('connect (endpoint without /zstack), list, check session; the password is in no reply, log or row', async () => {
    const r = await call('zstack.connect', {
      endpoint: sim.baseUrl.replace('/zstack', ''),
      password: 'password',
    })
    expect(r.ok).toBe(true)
    const info = (r as { value: { connectionId: string; connected: boolean; endpoint: string } }).value
    connectionId = info.connectionId
    expect(info).toMatchObject({ connected: true, endpoint: sim.baseUrl })
    const list = await call('zstack.connections.list', {})
    expect(JSON.stringify(list)).not.toContain('password"')
    expect(await call('zstack.session.check', { connectionId })).toEqual({ ok: true, value: { valid: true } })
    const rows = svc.db.prepare('SELECT * FROM zstack_connections').all()
    expect(JSON.stringify(rows)).not.toMatch(
      /"password"|b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb980b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86/,
    )
    expect(svc.logLines.join('')).not.toContain('b109f3bbbc244eb8')
  })

  it('validates DR requests against the contract before anything is sent', async () => {
    const before = sim.requests.length
    const bad = await call('zstack.dr.call', {
      connectionId,
      api: 'CreateVolumeBackup',
      params: { volumeUuid: 'not-a-uuid', backupStorageUuid: seeded(sim).bsLocal.uuid, name: 'x' },
    })
    expect(bad.ok).toBe(false)
    expect((bad as { error: { code: string } }).error.code).toBe('api.invalid_request')
    const noTarget = await call('zstack.dr.call', {
      connectionId,
      api: 'RecoverDatabaseFromBackup',
      params: { mysqlRootPassword: 'pw' },
    })
    expect((noTarget as { error: { message: { en: string } } }).error.message.en).toMatch(/either uuid/)
    expect(sim.requests.length).toBe(before)
  })

  it('dr.call runs the API; jobs.list shows it; job events are emitted', async () => {
    const states: string[] = []
    const off = svc.bus.subscribe((name, p) => {
      if (name === 'zstack.job.updated') states.push((p as { state: string }).state)
    })
    const r = await call('zstack.dr.call', {
      connectionId,
      api: 'CreateDatabaseBackup',
      params: { name: 'via-router', backupStorageUuid: seeded(sim).bsLocal.uuid },
    })
    off()
    expect(r.ok).toBe(true)
    expect(states).toEqual(['sending', 'running', 'succeeded'])
    const jobs = (await call('zstack.jobs.list', { connectionId })) as {
      value: { api: string; state: string }[]
    }
    expect(jobs.value[0]).toMatchObject({ api: 'CreateDatabaseBackup', state: 'succeeded' })
  })

  it('dr.start returns an opId; jobs.cancel stops waiting (job detached); jobs.attach picks it up again', async () => {
    sim.faults.add({ path: '/v1/api-jobs/', times: 1000, fault: { kind: 'slow', delayMs: 100 } })
    const started = (await call('zstack.dr.start', {
      connectionId,
      api: 'CreateDatabaseBackup',
      params: { name: 'cancel-me', backupStorageUuid: seeded(sim).bsLocal.uuid },
    })) as { ok: true; value: { opId: string } }
    expect(started.value.opId).toMatch(/^[0-9a-f]{32}$/)
    const jobUuid = await (async () => {
      for (let i = 0; i < 100; i++) {
        const jobs = svc.zstack.listJobs({ states: ['running'] })
        if (jobs[0]) return jobs[0].jobUuid
        await new Promise((r) => setTimeout(r, 20))
      }
      throw new Error('no running job')
    })()
    expect(await call('zstack.jobs.cancel', { jobUuid })).toEqual({ ok: true, value: { cancelled: true } })
    await expect.poll(() => svc.zstack.jobs.get(jobUuid)?.state).toBe('detached')
    sim.faults.clear()
    expect(await call('zstack.jobs.attach', { jobUuid })).toEqual({ ok: true, value: { attached: true } })
    await expect.poll(() => svc.zstack.jobs.get(jobUuid)?.state, { timeout: 5000 }).toBe('succeeded')
  })

  it('query: q strings parsed with pointed errors; count; all pages', async () => {
    // An operator inside the value: the node would read `!=` first, so nothing is sent.
    const bad = await call('zstack.query', { connectionId, resource: 'volumes', q: ['name=a!=b'] })
    expect((bad as { error: { code: string; message: { en: string } } }).error).toMatchObject({
      code: 'zstack.query.invalid',
    })
    const count = (await call('zstack.query', {
      connectionId,
      resource: 'volumes',
      q: ['type=Data'],
      count: true,
    })) as {
      value: { total: number }
    }
    expect(count.value.total).toBe(4)
    const all = (await call('zstack.query', { connectionId, resource: 'volumeBackups', all: true })) as {
      value: { inventories: unknown[]; total: number }
    }
    expect(all.value.inventories).toHaveLength(sim.state.volumeBackups.rows.length)
  })

  it('logs.open streams the restore log as events', async () => {
    const r = (await call('zstack.dr.call', {
      connectionId,
      api: 'RecoverDatabaseFromBackup',
      params: { uuid: seeded(sim).databaseBackup('db-backup-nightly-1').uuid, mysqlRootPassword: 'rootpw' },
    })) as { value: { logListenPort: number } }
    const lines: string[] = []
    let ended: LogEnd | null = null
    const off = svc.bus.subscribe((name, p) => {
      if (name === 'zstack.log.line') lines.push((p as LogLine).line)
      if (name === 'zstack.log.end') ended = p as LogEnd
    })
    const opened = (await call('zstack.logs.open', { connectionId, port: r.value.logListenPort })) as {
      value: { streamId: string }
    }
    await expect.poll(() => ended, { timeout: 5000 }).not.toBeNull()
    off()
    expect(ended).toEqual({ streamId: opened.value.streamId, reason: 'ended' })
    expect(lines.at(-1)).toBe('Recover data successfully')
    expect(svc.logLines.join('')).not.toContain('rootpw')
  })

  it('disconnect logs out; calls on it then fail with zstack.not_connected', async () => {
    expect(await call('zstack.disconnect', { connectionId })).toEqual({
      ok: true,
      value: { disconnected: true },
    })
    const r = await call('zstack.query', { connectionId, resource: 'zones' })
    expect((r as { error: { code: string } }).error.code).toBe('zstack.not_connected')
    expect(sim.sessions.count).toBe(0)
  })

  it('connect with a webhook receiver: the node calls back, the address is shown without its secret', async () => {
    const r = (await call('zstack.connect', {
      endpoint: sim.baseUrl,
      password: 'password',
      webhook: { bindHost: '127.0.0.1' },
    })) as { ok: true; value: { connectionId: string; webhookUrl: string } }
    expect(r.value.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/zsdr-hook\/…$/)
    const done = await call('zstack.dr.call', {
      connectionId: r.value.connectionId,
      api: 'CreateDatabaseBackup',
      params: { name: 'hooked', backupStorageUuid: seeded(sim).bsLocal.uuid },
    })
    expect(done.ok).toBe(true)
    const job = svc.zstack.listJobs()[0]!
    await expect
      .poll(() => sim.webhooks.attempts.find((a) => a.jobUuid === job.jobUuid)?.outcome, { timeout: 3000 })
      .toBe(204)
    await call('zstack.disconnect', { connectionId: r.value.connectionId })
  })
})
