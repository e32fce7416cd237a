import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../src-main/errors/app-error.js'
import type { Services } from '../../../src-main/services.js'
import type { ZStackClient } from '../../../src-main/zstack/client.js'
import { runQuery } from '../../../src-main/zstack/query-client.js'
import { fromSearchParams, query } from '../../../src-shared/query/index.js'
import { connectedServices } from '../../harness/services.js'
import { type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'
import { simClient } from '../../harness/zstack-client.js'
import { gsonDate } from '../../sim/gson.js'

/**
 * The client against the simulator on the points where the manual and a real 3.0.0 node differ
 * (spec README, query section; zstackio/zstack 3.0.0 RestServer.handleQueryApi, QueryFacadeImpl).
 * Each test also checks what went over the wire.
 */
let sim: Simulator
let client: ZStackClient
let svc: Services & { removeDir(): void }
let connectionId: string

beforeAll(async () => {
  sim = await startTestSimulator()
  client = simClient(sim).client
  ;({ svc, connectionId } = await connectedServices(sim.baseUrl))
})
afterAll(async () => {
  await svc?.close()
  svc?.removeDir()
  await sim.close()
})

/** The `q` parameters of the last query GET of this path. */
function sentQ(path: string): string[] {
  const last = sim.requests.filter((r) => r.method === 'GET' && r.path.endsWith(path)).at(-1)!
  return new URLSearchParams(last.search).getAll('q')
}

const names = (rows: { name?: unknown }[]) => rows.map((r) => String(r.name)).sort()

describe('queries a real node reads as meant', () => {
  it('isNull / notNull go as "is null" / "not null" and find the NULL rows', async () => {
    const ungrouped = await runQuery<{ name: string }>(
      client,
      'volumeBackups',
      query().isNull('groupUuid').build(),
    )
    expect(sentQ('/v1/volume-backups')).toEqual(['groupUuid is null'])
    expect(names(ungrouped.inventories)).toEqual(['web-data-daily', 'web-root-weekly'])
    const grouped = await runQuery(client, 'volumeBackups', query().notNull('groupUuid').build())
    expect(sentQ('/v1/volume-backups')).toEqual(['groupUuid not null'])
    expect(grouped.inventories).toHaveLength(3)
  })

  it('a name with spaces is found', async () => {
    sim.state.vms.get(seeded(sim).vmApp.uuid)!.name = 'app server 1'
    const r = await runQuery<{ name: string }>(
      client,
      'vmInstances',
      query().where('name', '=', 'app server 1').build(),
    )
    expect(sentQ('/v1/vm-instances')).toEqual(['name=app server 1'])
    expect(names(r.inventories)).toEqual(['app server 1'])
  })

  it('dates go as yyyy-MM-dd HH:mm:ss in the node time, whatever form they were given in', async () => {
    const first = seeded(sim).databaseBackup('db-backup-nightly-1')
    const gson = gsonDate(first.createDate)
    const r = await runQuery<{ name: string }>(
      client,
      'databaseBackups',
      query().where('createDate', '>', gson).build(),
    )
    const [sent] = sentQ('/v1/database-backups')
    expect(sent).toMatch(/^createDate>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    expect(names(r.inventories)).toEqual(['db-backup-before-upgrade', 'db-backup-nightly-2'])
    // Epoch milliseconds need the node's zone: refused before anything is sent.
    const before = sim.requests.length
    expect(() => query().where('createDate', '>', first.createDate).build()).toThrow(/not a date/)
    expect(sim.requests.length).toBe(before)
  })

  it('sort=name without a sign is ascending', async () => {
    const options = fromSearchParams(new URLSearchParams('sort=name'))
    const r = await runQuery(client, 'zones', options)
    expect(r.inventories).toHaveLength(1)
    const vms = await runQuery<{ name: string }>(
      client,
      'vmInstances',
      fromSearchParams(new URLSearchParams('sort=name')),
    )
    const got = vms.inventories.map((v) => v.name)
    expect(got).toEqual([...got].sort())
  })

  it('an unknown field is the node error SYS.1000 (503)', async () => {
    const e = await runQuery(client, 'volumes', query().where('nosuchfield', '=', '1').build()).catch(
      (x) => x,
    )
    expect(isAppError(e) && e.details?.serverCode).toBe('SYS.1000')
  })

  it('groupBy is never sent; the service groups locally, paging and counting groups', async () => {
    const call = (req: Record<string, unknown>) =>
      svc.router.dispatch(
        'zstack.query',
        { connectionId, resource: 'volumeBackups', q: [], ...req },
        { transport: 'cli' },
      ) as Promise<{ ok: boolean; value: { inventories: { groupUuid?: string }[]; total: number } }>
    const grouped = await call({ groupBy: 'groupUuid' })
    expect(sim.requests.filter((r) => r.search.includes('groupBy'))).toEqual([])
    expect(grouped.value.total).toBe(2)
    expect(new Set(grouped.value.inventories.map((b) => b.groupUuid ?? null)).size).toBe(2)
    expect((await call({ groupBy: 'groupUuid', count: true })).value.total).toBe(2)
    expect((await call({ groupBy: 'groupUuid', limit: 1, start: 1 })).value.inventories).toHaveLength(1)
    // An inherited name is an unknown field like any other (issue 10).
    const bad = (await call({ groupBy: 'constructor' })) as unknown as { ok: false; error: { code: string } }
    expect(bad.ok).toBe(false)
    expect(bad.error.code).toBe('zstack.query.invalid')
  })
})
