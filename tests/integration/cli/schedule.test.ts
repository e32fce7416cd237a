import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runZsdrInProcess } from '../../harness/cli.js'
import { type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'
import { makeTempDir } from '../../harness/temp.js'

let sim: Simulator
let S: ReturnType<typeof seeded>
const home = makeTempDir('cli-schedule')
const TTY = { tty: { columns: 160 } }
const zsdr = (args: string[], options: { tty?: { columns: number }; lang?: string } = {}) =>
  runZsdrInProcess(
    args,
    { ZSDR_HOME: home.path, ZSDR_PASSWORD: 'password', LANG: options.lang ?? 'en_US.UTF-8' },
    options.tty ? { tty: options.tty } : {},
  )
const c = () => ['-c', sim.baseUrl, '--time-zone', 'UTC']
const lines = (text: string) => text.trimEnd().split('\n')
let jobUuid: string

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 'demo', jobLatencyMs: 20 })
  S = seeded(sim)
})
afterAll(async () => {
  await sim?.close()
  home.remove()
})

describe('zsdr schedule', () => {
  it('create --daily: prints the new schedule (json) and the node has job + trigger attached', async () => {
    const r = await zsdr([
      'schedule',
      'create',
      ...c(),
      '--type',
      'vm',
      '--target',
      S.vmApp.uuid,
      '--store',
      S.bsLocal.uuid,
      '--keep',
      '3',
      '--daily',
      '01:30',
      '--name',
      'app-nightly',
      '--json',
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const row = JSON.parse(r.stdout) as { jobUuid: string; cron: string; keep: number; targetName: string }
    expect(row).toMatchObject({ cron: '0 30 1 * * ?', keep: 3, targetName: 'vm-app' })
    jobUuid = row.jobUuid
    expect(sim.state.scheduler.triggersOf(jobUuid)).toHaveLength(1)
  })

  it('list as a table (en and zh), NDJSON when piped, one JSON document, CSV', async () => {
    const table = await zsdr(['schedule', 'list', ...c()], TTY)
    expect(table.code).toBe(0)
    const [header, first] = lines(table.stdout)
    expect(header).toMatch(/^NAME\s+TARGET\s+TYPE\s+WHEN\s+CRON\s+NEXT RUN\s+KEEP\s+STATE$/)
    expect(first).toMatch(
      /app-nightly\s+vm-app\s+vmBackup\s+At 01:30\s+0 30 1 \* \* \?\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+3\s+Enabled/,
    )
    const zh = await zsdr(['schedule', 'list', ...c(), '--lang', 'zh'], TTY)
    expect(zh.stdout).toMatch(/名称/)
    expect(zh.stdout).toMatch(/01:30/)
    const piped = await zsdr(['schedule', 'list', ...c()])
    const recs = lines(piped.stdout).map((l) => JSON.parse(l) as { jobUuid: string; nextRuns: string[] })
    expect(recs.map((x) => x.jobUuid)).toEqual([jobUuid])
    expect(recs[0]!.nextRuns).toHaveLength(5)
    const doc = JSON.parse((await zsdr(['schedule', 'list', ...c(), '-o', 'json'])).stdout) as {
      schedules: unknown[]
    }
    expect(doc.schedules).toHaveLength(1)
    const csv = lines((await zsdr(['schedule', 'list', ...c(), '-o', 'csv'])).stdout)
    expect(csv[0]).toBe('NAME,TARGET,TYPE,WHEN,CRON,NEXT RUN,KEEP,STORES,STATE,UUID,NEXT 5 RUNS')
    expect(csv[1]).toContain(S.bsLocal.uuid)
  })

  it('pause and resume', async () => {
    const p = await zsdr(['schedule', 'pause', jobUuid, ...c()])
    expect(p.stdout.trim()).toBe(`${jobUuid}: Disabled`)
    expect(sim.state.scheduler.jobs.get(jobUuid)?.state).toBe('Disabled')
    const r = await zsdr(['schedule', 'resume', jobUuid, ...c(), '-o', 'ndjson'])
    expect(JSON.parse(r.stdout)).toMatchObject({ jobUuid, state: 'Enabled' })
  })

  it('a 3.0.0 limit is refused before sending, in the user language, exit 1', async () => {
    const before = sim.requests.filter((q) => q.method === 'POST').length
    const r = await zsdr(
      ['schedule', 'create', ...c(), '--type', 'vm', '--target', S.vmApp.uuid, '--store', S.bsLocal.uuid],
      { lang: 'zh_CN.UTF-8' },
    )
    expect(r.code).toBe(2)
    const bad = await zsdr(
      [
        'schedule',
        'create',
        ...c(),
        '--type',
        'vm',
        '--target',
        S.vmApp.uuid,
        '--store',
        S.bsLocal.uuid,
        '--keep',
        '3',
        '--weekly',
        'MON,TUE,WED,THU,FRI,SAT@02:00',
      ],
      { lang: 'zh_CN.UTF-8' },
    )
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/ZStack 3\.0\.0 最多保存 32 个/)
    expect(sim.requests.filter((q) => q.method === 'POST').length).toBe(before + 0)
    const two = await zsdr([
      'schedule',
      'create',
      ...c(),
      '--type',
      'vm',
      '--target',
      S.vmApp.uuid,
      '--store',
      S.bsLocal.uuid,
      '--keep',
      '3',
      '--daily',
      '01:00',
      '--hourly',
      '5',
    ])
    expect(two.code).toBe(2)
    expect(two.stderr).toMatch(/exactly one of/)
  })

  it('change needs --yes and says it deletes and re-creates; with --yes it does', async () => {
    const no = await zsdr(['schedule', 'change', jobUuid, ...c(), '--keep', '7', '--store', S.bsDr.uuid])
    expect(no.code).toBe(1)
    expect(no.stderr).toMatch(/deletes the schedule and creates it again.*--yes/)
    expect(sim.state.scheduler.jobs.get(jobUuid)).toBeDefined()
    const yes = await zsdr([
      'schedule',
      'change',
      jobUuid,
      ...c(),
      '--keep',
      '7',
      '--store',
      S.bsDr.uuid,
      '--yes',
      '--json',
    ])
    expect(yes.code).toBe(0)
    const row = JSON.parse(yes.stdout) as { jobUuid: string; keep: number; storeUuids: string[] }
    expect(row).toMatchObject({ keep: 7, storeUuids: [S.bsDr.uuid] })
    expect(sim.state.scheduler.jobs.get(jobUuid)).toBeUndefined()
    jobUuid = row.jobUuid
  })

  it('delete removes the job and its trigger; the list is empty and says so', async () => {
    const [trigger] = sim.state.scheduler.triggersOf(jobUuid)
    const d = await zsdr(['schedule', 'delete', jobUuid, ...c()])
    expect(d.code).toBe(0)
    expect(d.stdout).toContain(`deleted trigger ${trigger}`)
    const empty = await zsdr(['schedule', 'list', ...c()], TTY)
    expect(empty.stdout).toBe('')
    expect(empty.stderr).toMatch(/No backup schedules/)
  })
})
