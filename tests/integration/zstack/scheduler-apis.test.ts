import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ZStackClient } from '../../../src-main/zstack/client.js'
import { callDr } from '../../../src-main/zstack/dr-api.js'
import { query } from '../../../src-shared/query/index.js'
import { type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'
import { simClient } from '../../harness/zstack-client.js'

let sim: Simulator
let client: ZStackClient
let S: ReturnType<typeof seeded>

beforeAll(async () => {
  sim = await startTestSimulator()
  client = simClient(sim).client
  S = seeded(sim)
})
afterAll(() => sim.close())

const DAY = 86_400_000
const sent = () => sim.requests.filter((r) => !r.path.includes('/api-jobs/'))
const lastSent = () => sent().at(-1)!
const retention = (n: number, stores: string[]) => ({
  retentionType: 'Count',
  retentionValue: String(n),
  backupStorageUuids: JSON.stringify(stores),
  remoteBackupStorageUuid: '',
})
const groupsOf = (jobName: string) =>
  new Set(
    sim.state.volumeBackups.rows.filter((b) => b.name.startsWith(`${jobName}-`)).map((b) => b.groupUuid),
  )

/** A VM backup job on a daily 02:00 cron trigger, attached: what `zsdr schedule create` makes. */
async function dailyVmSchedule(name: string, keep: number, stores: string[]) {
  const job = await callDr(client, 'CreateSchedulerJob', {
    name,
    targetResourceUuid: S.vmApp.uuid,
    type: 'vmBackup',
    parameters: retention(keep, stores),
  })
  const trigger = await callDr(client, 'CreateSchedulerTrigger', {
    name,
    schedulerType: 'cron',
    cron: '0 0 2 * * ?',
  })
  await callDr(client, 'AddSchedulerJobToSchedulerTrigger', {
    schedulerJobUuid: job.inventory.uuid,
    schedulerTriggerUuid: trigger.inventory.uuid,
  })
  return { job: job.inventory, trigger: trigger.inventory }
}

describe('the 3.0.0 scheduler APIs through the client', () => {
  it('creates a job and a cron trigger, attaches them, and both queries show the link', async () => {
    const { job, trigger } = await dailyVmSchedule('nightly-app', 3, [S.bsLocal.uuid])
    expect(sent().slice(-3)).toMatchObject([
      { method: 'POST', path: '/zstack/v1/scheduler/triggers' },
      { method: 'GET', path: '/zstack/v1/scheduler/triggers' },
      {
        method: 'POST',
        path: `/zstack/v1/scheduler/jobs/${job.uuid}/scheduler/triggers/${trigger.uuid}`,
      },
    ])
    expect(job).toMatchObject({ name: 'nightly-app', targetResourceUuid: S.vmApp.uuid, state: 'Enabled' })
    expect(JSON.parse(job.jobData!)).toMatchObject({ retentionType: 'Count', retentionValue: '3' })
    const jobs = await callDr(client, 'QuerySchedulerJob', query().where('uuid', '=', job.uuid).build())
    expect(jobs.inventories[0]?.triggersUuid).toEqual([trigger.uuid])
    const triggers = await callDr(
      client,
      'QuerySchedulerTrigger',
      query().where('uuid', '=', trigger.uuid).build(),
    )
    expect(triggers.inventories[0]).toMatchObject({ cron: '0 0 2 * * ?', jobsUuid: [job.uuid] })
  })

  it('runs on the clock: 5 days of a daily VM backup keeping 3 leave 3 backup groups', async () => {
    await dailyVmSchedule('keep3', 3, [S.bsLocal.uuid, S.bsDr.uuid])
    sim.advanceClock(5 * DAY)
    const groups = groupsOf('keep3')
    expect(groups.size).toBe(3)
    const runs = sim.state.scheduler.runs.filter((r) => r.ok)
    expect(runs.length).toBeGreaterThanOrEqual(5)
    const one = sim.state.volumeBackups.rows.find((b) => b.name.startsWith('keep3-'))!
    expect(one.backupStorageRefs.map((r) => r.backupStorageUuid).sort()).toEqual(
      [S.bsLocal.uuid, S.bsDr.uuid].sort(),
    )
  })

  it('ChangeSchedulerState pauses and resumes a job', async () => {
    const { job } = await dailyVmSchedule('pausable', 10, [S.bsLocal.uuid])
    const off = await callDr(client, 'ChangeSchedulerState', { uuid: job.uuid, stateEvent: 'disable' })
    expect(lastSent()).toMatchObject({ method: 'PUT', path: `/zstack/v1/schedulers/${job.uuid}/actions` })
    expect(off.inventory.state).toBe('Disabled')
    sim.advanceClock(2 * DAY)
    expect(groupsOf('pausable').size).toBe(0)
    await callDr(client, 'ChangeSchedulerState', { uuid: job.uuid, stateEvent: 'enable' })
    sim.advanceClock(2 * DAY)
    expect(groupsOf('pausable').size).toBe(2)
  })

  it('a run on a disconnected store fails, is logged, and makes no backup', async () => {
    const { job } = await dailyVmSchedule('broken', 3, [S.bsBroken.uuid])
    sim.advanceClock(DAY)
    const runs = sim.state.scheduler.runs.filter((r) => r.jobUuid === job.uuid)
    expect(runs.length).toBe(1)
    expect(runs[0]).toMatchObject({ ok: false, created: [] })
    expect(runs[0]!.error).toMatch(/is not Connected/)
    expect(groupsOf('broken').size).toBe(0)
  })

  it('a simple trigger fires from its start time, every interval, repeatCount more times', async () => {
    const job = await callDr(client, 'CreateSchedulerJob', {
      name: 'simple-vol',
      targetResourceUuid: sim.state.vmVolumes(S.vmWeb.uuid)[0]!.uuid,
      type: 'volumeBackup',
      parameters: { ...retention(10, [S.bsLocal.uuid]), backupStorageUuids: S.bsLocal.uuid },
    })
    // The node's clock (moved by the tests above): the time it stamped on the last request.
    const start = Math.floor(sim.requests.at(-1)!.at / 1000) + 2 * 86_400 + 60
    const trigger = await callDr(client, 'CreateSchedulerTrigger', {
      name: 'simple-vol',
      schedulerType: 'simple',
      startTime: start,
      schedulerInterval: 3600,
      repeatCount: 2,
    })
    await callDr(client, 'AddSchedulerJobToSchedulerTrigger', {
      schedulerJobUuid: job.inventory.uuid,
      schedulerTriggerUuid: trigger.inventory.uuid,
    })
    sim.advanceClock(3 * DAY)
    const made = sim.state.volumeBackups.rows.filter((b) => b.name.startsWith('simple-vol-'))
    expect(made.length).toBe(3)
  })

  it('deletes: the job leaves its trigger, then the trigger goes', async () => {
    const { job, trigger } = await dailyVmSchedule('doomed', 3, [S.bsLocal.uuid])
    await callDr(client, 'DeleteSchedulerJob', { uuid: job.uuid })
    expect(lastSent()).toMatchObject({ method: 'DELETE', path: `/zstack/v1/scheduler/jobs/${job.uuid}` })
    const t = await callDr(client, 'QuerySchedulerTrigger', query().where('uuid', '=', trigger.uuid).build())
    expect(t.inventories[0]?.jobsUuid).toEqual([])
    await callDr(client, 'DeleteSchedulerTrigger', { uuid: trigger.uuid })
    const gone = await callDr(
      client,
      'QuerySchedulerTrigger',
      query().where('uuid', '=', trigger.uuid).build(),
    )
    expect(gone.inventories).toEqual([])
  })
})

describe('3.0.0 limits, checked before sending', () => {
  const refused = async (call: () => Promise<unknown>, code: string) => {
    const before = sent().length
    const err = await call().then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toMatchObject({ code })
    const text = (err as { text: { en: string; zh: string } }).text
    expect(text.en.length).toBeGreaterThan(10)
    expect(text.zh).toMatch(/[\u4e00-\u9fff]/)
    // Nothing but (for the attach check) the query was sent.
    expect(
      sent()
        .slice(before)
        .every((r) => r.method === 'GET'),
    ).toBe(true)
  }
  const trigger = (p: Record<string, unknown>) => () =>
    callDr(client, 'CreateSchedulerTrigger', { name: 't', schedulerType: 'cron', ...p } as never)

  it('cron longer than 32 characters', () =>
    refused(trigger({ cron: '0 0 2 ? * MON,TUE,WED,THU,FRI,SAT' }), 'zstack.scheduler_cron_length'))
  it('cron only with type cron', () =>
    refused(
      trigger({ schedulerType: 'simple', cron: '0 0 2 * * ?', startTime: 0, schedulerInterval: 60 }),
      'zstack.scheduler_cron_not_cron',
    ))
  it('a cron trigger without a cron', () => refused(trigger({}), 'zstack.scheduler_cron_missing'))
  it('not a Quartz expression (5 fields)', () =>
    refused(trigger({ cron: '0 2 * * *' }), 'zstack.scheduler_cron'))
  it('simple needs a start time', () =>
    refused(trigger({ schedulerType: 'simple', schedulerInterval: 60 }), 'zstack.scheduler_simple_start'))
  it('simple needs an interval of at least 1 s', () =>
    refused(trigger({ schedulerType: 'simple', startTime: 0 }), 'zstack.scheduler_simple_interval'))
  it('start before 2038', () =>
    refused(
      trigger({ schedulerType: 'simple', startTime: 2 ** 31, schedulerInterval: 60 }),
      'zstack.scheduler_start_time',
    ))
  it('a backup job keeps at least 1 and names its stores', async () => {
    const job = (parameters: Record<string, string>) => () =>
      callDr(client, 'CreateSchedulerJob', {
        name: 'j',
        targetResourceUuid: S.vmApp.uuid,
        type: 'vmBackup',
        parameters,
      })
    await refused(job(retention(0, [S.bsLocal.uuid])), 'zstack.scheduler_retention')
    await refused(job(retention(3, [])), 'zstack.scheduler_stores')
  })
  it('a job is not added twice to one trigger', async () => {
    const { job, trigger } = await dailyVmSchedule('twice', 3, [S.bsLocal.uuid])
    await refused(
      () =>
        callDr(client, 'AddSchedulerJobToSchedulerTrigger', {
          schedulerJobUuid: job.uuid,
          schedulerTriggerUuid: trigger.uuid,
        }),
      'zstack.scheduler_already_attached',
    )
    expect(sim.state.scheduler.links.filter((l) => l.jobUuid === job.uuid)).toHaveLength(1)
  })
})

describe('the simulated node refuses the same on its own (a client that skipped its checks)', () => {
  const raw = (params: Record<string, unknown>) =>
    client.call({
      api: 'CreateSchedulerTrigger',
      method: 'POST',
      path: '/v1/scheduler/triggers',
      body: { params, systemTags: [], userTags: [] },
      targetUuid: null,
    })
  it.each([
    [{ name: 't', schedulerType: 'cron', cron: '0 0 2 ? * MON,TUE,WED,THU,FRI,SAT' }, /longer than 32/],
    [
      { name: 't', schedulerType: 'simple', cron: '0 0 2 * * ?', startTime: 0, schedulerInterval: 60 },
      /only/,
    ],
    [{ name: 't', schedulerType: 'simple', schedulerInterval: 60 }, /startTime must be set/],
    [{ name: 't', schedulerType: 'simple', startTime: 2 ** 31, schedulerInterval: 60 }, /before 2038/],
  ])('%j', async (params, message) => {
    const err = await raw(params).then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toMatchObject({ code: 'zstack.server_error' })
    expect(JSON.stringify(err)).toMatch(message)
  })
})
