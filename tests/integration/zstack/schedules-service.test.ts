import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  ConnectionOverview,
  OperationFinished,
  ScheduleList,
  SchedulePreview,
  ScheduleRow,
} from '../../../src-main/api/contract/index.js'
import type { Services } from '../../../src-main/services.js'
import { testServices } from '../../harness/services.js'
import { type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'

let sim: Simulator
let svc: Services & { logLines: string[]; removeDir(): void }
let connectionId: string
let S: ReturnType<typeof seeded>

beforeAll(async () => {
  sim = await startTestSimulator({ jobLatencyMs: 20 })
  svc = testServices()
  S = seeded(sim)
  const r = await call('zstack.connect', { endpoint: sim.baseUrl, password: 'password' })
  connectionId = (r as { value: { connectionId: string } }).value.connectionId
})
afterAll(async () => {
  await svc.close()
  svc.removeDir()
  await sim.close()
})

const call = (name: string, req: unknown) => svc.router.dispatch(name, req, { transport: 'cli' })
async function ok<T>(name: string, req: unknown): Promise<T> {
  const r = await call(name, req)
  if (!r.ok) throw new Error(JSON.stringify(r.error))
  return r.value as T
}
const DAY = 86_400_000

describe('schedules.* through the router', () => {
  it('preview: a weekly preset is a Quartz cron, in words (en, zh), with 5 next runs in the zone', async () => {
    const p = await ok<SchedulePreview>('schedules.preview', {
      when: { kind: 'weekly', days: ['MON', 'WED'], time: '02:30' },
      timeZone: 'Asia/Shanghai',
    })
    expect(p.cron).toBe('0 30 2 ? * MON,WED')
    expect(p.when.en).toMatch(/02:30.*Monday.*Wednesday/)
    expect(p.when.zh).toMatch(/星期一/)
    expect(p.nextRuns).toHaveLength(5)
    for (const r of p.nextRuns) {
      // 02:30 in Shanghai is 18:30 UTC of the day before (Sunday or Tuesday).
      expect(new Date(r).getUTCHours()).toBe(18)
      expect([0, 2]).toContain(new Date(r).getUTCDay())
    }
  })

  it('preview refuses what 3.0.0 refuses, in both languages', async () => {
    const r = await call('schedules.preview', { when: { kind: 'cron', cron: '0 0 2 * *' } })
    expect(r).toMatchObject({ ok: false, error: { code: 'zstack.scheduler_cron' } })
    const long = await call('schedules.preview', {
      when: { kind: 'weekly', days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], time: '02:00' },
    })
    expect(long).toMatchObject({ ok: false, error: { code: 'zstack.scheduler_cron_length' } })
  })

  let daily: ScheduleRow
  it('create: one job plus one trigger, attached; the list shows it by target name', async () => {
    daily = await ok<ScheduleRow>('schedules.create', {
      connectionId,
      name: 'app-nightly',
      type: 'vmBackup',
      targetUuid: S.vmApp.uuid,
      storeUuids: [S.bsLocal.uuid],
      keep: 3,
      when: { kind: 'daily', time: '01:00' },
      timeZone: 'UTC',
    })
    expect(daily).toMatchObject({
      name: 'app-nightly',
      type: 'vmBackup',
      targetName: 'vm-app',
      state: 'Enabled',
      cron: '0 0 1 * * ?',
      keep: 3,
      storeUuids: [S.bsLocal.uuid],
    })
    expect(daily.when?.en).toMatch(/01:00/)
    expect(daily.nextRuns).toHaveLength(5)
    expect(daily.triggerUuids).toHaveLength(1)
    const list = await ok<ScheduleList>('schedules.list', { connectionId })
    expect(list.source).toBe('node')
    expect(list.rows.map((r) => r.jobUuid)).toContain(daily.jobUuid)
    // Every call is in the job history like the DR calls.
    const jobs = await ok<{ api: string }[]>('zstack.jobs.list', { connectionId })
    expect(jobs.map((j) => j.api)).toEqual(
      expect.arrayContaining([
        'CreateSchedulerJob',
        'CreateSchedulerTrigger',
        'AddSchedulerJobToSchedulerTrigger',
      ]),
    )
  })

  it('runs on the node: 5 days later 3 backups of the VM remain', async () => {
    sim.advanceClock(5 * DAY)
    const groups = new Set(
      sim.state.volumeBackups.rows.filter((b) => b.name.startsWith('app-nightly-')).map((b) => b.groupUuid),
    )
    expect(groups.size).toBe(3)
  })

  it('pause and resume', async () => {
    expect(await ok('schedules.setState', { connectionId, jobUuid: daily.jobUuid, enabled: false })).toEqual({
      state: 'Disabled',
    })
    const paused = (await ok<ScheduleList>('schedules.list', { connectionId })).rows.find(
      (r) => r.jobUuid === daily.jobUuid,
    )!
    expect(paused).toMatchObject({ state: 'Disabled', nextRuns: [] })
    await ok('schedules.setState', { connectionId, jobUuid: daily.jobUuid, enabled: true })
    expect(sim.state.scheduler.jobs.get(daily.jobUuid)?.state).toBe('Enabled')
  })

  it('a recreate whose new job fails leaves the old schedule as it was', async () => {
    sim.faults.add({
      method: 'POST',
      path: '/v1/scheduler/jobs',
      fault: { kind: 'error503', error: { code: 'SYS.1000', details: 'injected' } },
    })
    const r = await call('schedules.recreate', {
      connectionId,
      jobUuid: daily.jobUuid,
      keep: 7,
      storeUuids: [S.bsDr.uuid],
      confirmRecreate: true,
    })
    expect(r.ok).toBe(false)
    expect(sim.state.scheduler.jobs.get(daily.jobUuid)?.state).toBe('Enabled')
    expect(sim.state.scheduler.triggersOf(daily.jobUuid)).toEqual(daily.triggerUuids)
  })

  it('recreate needs the explicit yes, then deletes and creates with the new retention', async () => {
    const no = await call('schedules.recreate', {
      connectionId,
      jobUuid: daily.jobUuid,
      keep: 7,
      storeUuids: [S.bsLocal.uuid, S.bsDr.uuid],
    })
    expect(no).toMatchObject({ ok: false, error: { code: 'api.invalid_request' } })
    const again = await ok<ScheduleRow>('schedules.recreate', {
      connectionId,
      jobUuid: daily.jobUuid,
      keep: 7,
      storeUuids: [S.bsLocal.uuid, S.bsDr.uuid],
      confirmRecreate: true,
    })
    expect(again).toMatchObject({ name: 'app-nightly', cron: '0 0 1 * * ?', keep: 7, targetName: 'vm-app' })
    expect(again.jobUuid).not.toBe(daily.jobUuid)
    expect(sim.state.scheduler.jobs.get(daily.jobUuid)).toBeUndefined()
    expect(sim.state.scheduler.triggers.get(daily.triggerUuids[0]!)).toBeUndefined()
    daily = again
  })

  it('delete removes the job and its trigger, but keeps a trigger another job uses', async () => {
    const s = sim.state.scheduler
    const other = s.jobs.add({ ...s.jobs.get(daily.jobUuid)!, uuid: 'f'.repeat(32), name: 'other' })
    s.links.push({ jobUuid: other.uuid, triggerUuid: daily.triggerUuids[0]! })
    const r = await ok<{ deletedTriggers: string[]; keptTriggers: string[] }>('schedules.delete', {
      connectionId,
      jobUuid: daily.jobUuid,
    })
    expect(r).toEqual({ deletedTriggers: [], keptTriggers: daily.triggerUuids })
    expect(s.triggers.get(daily.triggerUuids[0]!)).toBeDefined()
    const r2 = await ok<{ deletedTriggers: string[] }>('schedules.delete', {
      connectionId,
      jobUuid: other.uuid,
    })
    expect(r2.deletedTriggers).toEqual(daily.triggerUuids)
    expect(s.triggers.get(daily.triggerUuids[0]!)).toBeUndefined()
    const gone = await call('schedules.delete', { connectionId, jobUuid: other.uuid })
    expect(gone).toMatchObject({ ok: false, error: { code: 'schedules.not_found' } })
  })

  it('a create whose trigger fails removes its job again (no half schedule)', async () => {
    const jobsBefore = sim.state.scheduler.jobs.rows.length
    sim.faults.add({
      method: 'POST',
      path: '/v1/scheduler/triggers',
      fault: { kind: 'error503', error: { code: 'SYS.1000', details: 'injected' } },
    })
    const r = await call('schedules.create', {
      connectionId,
      name: 'half',
      type: 'volumeBackup',
      targetUuid: sim.state.vmVolumes(S.vmWeb.uuid)[0]!.uuid,
      storeUuids: [S.bsLocal.uuid],
      keep: 2,
      when: { kind: 'hourly', minute: 15 },
    })
    expect(r.ok).toBe(false)
    expect(sim.state.scheduler.jobs.rows.length).toBe(jobsBefore)
  })
})

/** Last: it stops the node. After a sync the cached jobs and triggers answer, read-only, saying so and how old. */
async function sync(): Promise<OperationFinished> {
  let opId = ''
  const finished = new Promise<OperationFinished>((resolve) => {
    const stop = svc.bus.subscribe((name, payload) => {
      if (name !== 'op.finished' || (payload as { opId: string }).opId !== opId) return
      stop()
      resolve(payload as OperationFinished)
    })
  })
  opId = (await ok<{ opId: string }>('cache.sync', { connectionId, mode: 'full' })).opId
  return finished
}

describe('schedules.list offline', () => {
  it('answers from the offline cache when the node is down, saying so and how old', async () => {
    const made = await ok<ScheduleRow>('schedules.create', {
      connectionId,
      name: 'web-nightly',
      type: 'vmBackup',
      targetUuid: S.vmWeb.uuid,
      storeUuids: [S.bsLocal.uuid],
      keep: 4,
      when: { kind: 'daily', time: '02:00' },
      timeZone: 'UTC',
    })
    const online = await ok<ScheduleList>('schedules.list', { connectionId, timeZone: 'UTC' })
    expect(online.source).toBe('node')
    expect((await sync()).outcome).toBe('succeeded')

    await sim.close()
    const offline = await ok<ScheduleList>('schedules.list', { connectionId, timeZone: 'UTC' })
    expect(offline.source).toBe('cache')
    expect(offline.cache?.syncedAt).toEqual(expect.any(String))
    expect(offline.nodeError?.code).toMatch(/^zstack\./)
    expect(offline.rows).toEqual(online.rows)
    expect(offline.rows.find((r) => r.jobUuid === made.jobUuid)).toMatchObject({
      name: 'web-nightly',
      targetName: S.vmWeb.name,
      cron: '0 0 2 * * ?',
      keep: 4,
      storeUuids: [S.bsLocal.uuid],
    })
    // Actions still need the node: nothing is written to the cache.
    const pause = await call('schedules.setState', { connectionId, jobUuid: made.jobUuid, enabled: false })
    expect(pause.ok).toBe(false)
  })

  it('the overview shows the cached schedule as coverage, and flags it once the RPO is tighter than its interval', async () => {
    const ov = await ok<ConnectionOverview>('overview.get', { connectionId })
    expect(ov.schedules.scheduledUuids).toContain(S.vmWeb.uuid)
    expect(ov.schedules.breaches.filter((b) => b.name === 'web-nightly')).toEqual([])
    await ok('overview.rpo.set', { connectionId, rpoHours: 12 })
    const tight = await ok<ConnectionOverview>('overview.get', { connectionId })
    expect(tight.schedules.breaches.filter((b) => b.name === 'web-nightly')).toMatchObject([
      { targetUuid: S.vmWeb.uuid, intervalSeconds: 86_400 },
    ])
  })
})
