import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { conditionDate } from '../../../src-shared/query/index.js'
import { rawLogin, type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'
import { gsonDate } from '../../sim/gson.js'

let sim: Simulator
let session: string

beforeAll(async () => {
  sim = await startTestSimulator()
  session = await rawLogin(sim)
})
afterAll(() => sim.close())

type Inv = Record<string, unknown> & { uuid: string; name: string }

async function get(
  path: string,
  query = '',
): Promise<{ status: number; body: { inventories: Inv[]; total?: number } }> {
  const r = await fetch(`${sim.baseUrl}${path}${query ? `?${query}` : ''}`, {
    headers: { authorization: `OAuth ${session}` },
  })
  const text = await r.text()
  return { status: r.status, body: r.status === 200 ? JSON.parse(text) : { inventories: [], text } }
}

const names = (b: { inventories: Inv[] }) => b.inventories.map((i) => i.name).sort()
const q = (...conds: string[]) => conds.map((c) => `q=${encodeURIComponent(c)}`).join('&')

describe('simulator query semantics', () => {
  it('= and != (case-insensitive like MySQL utf8_general_ci); NULL never matches !=', async () => {
    expect(names((await get('/v1/vm-instances', q('name=VM-DB'))).body)).toEqual(['vm-db'])
    const all = (await get('/v1/volume-backups')).body.inventories
    const notX = (await get('/v1/volume-backups', q('description!=x'))).body.inventories
    // The backup whose description is NULL is on neither side of != (SQL three-valued logic).
    expect(all.some((b) => b.description === null)).toBe(true)
    expect(notX.some((b) => b.description === null)).toBe(false)
    expect(notX).toHaveLength(all.length - 1)
    expect((await get('/v1/volume-backups', q('name!=WEB-DATA-DAILY'))).body.inventories).toHaveLength(
      all.length - 1,
    )
  })

  it('> < >= <= compare numbers and dates', async () => {
    const GiB = 1024 ** 3
    expect(names((await get('/v1/volumes', q(`size>${200 * GiB}`))).body)).toEqual(['DATA-2-for-vm-db'])
    expect((await get('/v1/volumes', q(`size>=${200 * GiB}`))).body.inventories).toHaveLength(2)
    expect(
      (await get('/v1/volumes', q(`size<${50 * GiB}`))).body.inventories.every(
        (v) => (v.size as number) < 50 * GiB,
      ),
    ).toBe(true)
    expect((await get('/v1/volumes', q(`size<=${40 * GiB}`))).body.inventories).toHaveLength(3)
    const first = seeded(sim).databaseBackup('db-backup-nightly-1')
    // Dates are handed to MySQL as text: `yyyy-MM-dd HH:mm:ss`, spaces and all (spec README, query section).
    const later = (
      await get('/v1/database-backups', q(`createDate>${conditionDate(gsonDate(first.createDate))}`))
    ).body
    expect(names(later)).toEqual(['db-backup-before-upgrade', 'db-backup-nightly-2'])
    expect((await get('/v1/database-backups', q('createDate>2017-01-01 00:00:00'))).status).toBe(200)
  })

  it('?= and !?= (in / not in)', async () => {
    expect(names((await get('/v1/vm-instances', q('name?=vm-web,vm-app,nope'))).body)).toEqual([
      'vm-app',
      'vm-web',
    ])
    expect(names((await get('/v1/vm-instances', q('name!?=vm-web,vm-app'))).body)).toEqual(['vm-db'])
  })

  it('~= and !~= are LIKE with % and _', async () => {
    expect(names((await get('/v1/vm-instances', q('name~=vm-%'))).body)).toHaveLength(3)
    expect(names((await get('/v1/vm-instances', q('name~=vm-_b'))).body)).toEqual(['vm-db'])
    expect(names((await get('/v1/vm-instances', q('name~=vm-__x'))).body)).toEqual([])
    expect(names((await get('/v1/vm-instances', q('name~=VM-W%'))).body)).toEqual(['vm-web'])
    expect(names((await get('/v1/vm-instances', q('name!~=%web%'))).body)).toEqual(['vm-app', 'vm-db'])
  })

  // zstackio/zstack 3.0.0 RestServer.QUERY_OP_MAPPING: "is null" -> IS_NULL, "not null" -> NOT_NULL.
  it('is null and not null; =null compares with the text null and finds nothing', async () => {
    const ungrouped = (await get('/v1/volume-backups', q('groupUuid is null'))).body.inventories
    expect(ungrouped.map((b) => b.name).sort()).toEqual(['web-data-daily', 'web-root-weekly'])
    expect((await get('/v1/volume-backups', q('groupUuid not null'))).body.inventories).toHaveLength(3)
    // QueryFacadeImpl.toZQLConditionString quotes the value: `groupUuid = 'null'`.
    expect((await get('/v1/volume-backups', q('groupUuid=null'))).body.inventories).toHaveLength(0)
  })

  it('nested backupStorageRefs.*: positive = some ref matches; negative = no ref matches', async () => {
    const { bsLocal, bsDr } = seeded(sim)
    const onDr = (await get('/v1/volume-backups', q(`backupStorageRefs.backupStorageUuid=${bsDr.uuid}`))).body
    expect(names(onDr)).toEqual([
      'vm-db-backup-data',
      'vm-db-backup-data',
      'vm-db-backup-root',
      'web-root-weekly',
    ])
    const notLocal = (
      await get('/v1/volume-backups', q(`backupStorageRefs.backupStorageUuid!=${bsLocal.uuid}`))
    ).body
    expect(names(notLocal)).toEqual(['web-root-weekly'])
    const both = (
      await get(
        '/v1/volume-backups',
        q(
          `backupStorageRefs.backupStorageUuid=${bsLocal.uuid}`,
          `backupStorageRefs.backupStorageUuid=${bsDr.uuid}`,
        ),
      )
    ).body
    expect(both.inventories).toHaveLength(3)
    const vm = (await get('/v1/vm-instances', q(`allVolumes.size>${300 * 1024 ** 3}`))).body
    expect(names(vm)).toEqual(['vm-db'])
  })

  it('sort, paging with limit/start, count, replyWithCount', async () => {
    const asc = (await get('/v1/volumes', 'sort=%2Bsize')).body.inventories.map((v) => v.size as number)
    expect(asc).toEqual([...asc].sort((a, b) => a - b))
    const desc = (await get('/v1/volumes', 'sort=-name')).body.inventories.map((v) => v.name)
    // MySQL's utf8_general_ci collation sorts without regard to case.
    const ci = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)
    expect(desc).toEqual([...desc].sort(ci).reverse())
    const page = (await get('/v1/volumes', 'sort=%2Bname&limit=2&start=1&replyWithCount=true')).body
    expect(page.inventories.map((v) => v.name)).toEqual([...desc].reverse().slice(1, 3))
    expect(page.total).toBe(desc.length)
    const count = await get('/v1/volumes', 'count=true')
    expect(count.body).toMatchObject({ total: desc.length })
    expect((await get('/v1/volumes', 'limit=0')).body.inventories).toEqual([])
  })

  it('fields: only those fields, and only the first fields parameter counts', async () => {
    const r = (await get('/v1/vm-instances', 'fields=uuid,name&fields=state')).body.inventories
    expect(r).toHaveLength(3)
    for (const inv of r) expect(Object.keys(inv).sort()).toEqual(['name', 'uuid'])
  })

  // QueryFacadeImpl.queryUseZQL (3.0.0) never uses msg.getGroupBy(): the parameter is read and ignored.
  it('groupBy is ignored: every row comes back', async () => {
    const r = (await get('/v1/volume-backups', 'groupBy=groupUuid')).body.inventories
    expect(r).toHaveLength(5)
    expect((await get('/v1/volume-backups', 'groupBy=groupUuid&count=true')).body).toMatchObject({ total: 5 })
  })

  it('__systemTag__ / __userTag__ match tags', async () => {
    const vm = seeded(sim).vmWeb
    sim.state.addTags(vm.uuid, ['ha::NeverStop'], ['prod'])
    expect(names((await get('/v1/vm-instances', q('__systemTag__=ha::NeverStop'))).body)).toEqual(['vm-web'])
    expect(names((await get('/v1/vm-instances', q('__userTag__~=pro%'))).body)).toEqual(['vm-web'])
    expect(names((await get('/v1/vm-instances', q('__userTag__!=prod'))).body)).toEqual(['vm-app', 'vm-db'])
  })

  it('GET /{uuid} is the query uuid=<uuid>; condition= is ignored (everything returned)', async () => {
    const vm = seeded(sim).vmDb
    const one = (await get(`/v1/vm-instances/${vm.uuid}`)).body.inventories
    expect(one.map((v) => v.uuid)).toEqual([vm.uuid])
    expect((await get('/v1/vm-instances', 'condition=name=vm-db')).body.inventories).toHaveLength(3)
  })

  // RestServer.handleQueryApi: field trimmed, value kept as is; no operator / no value / bad limit → 400.
  it('reads conditions as the server does; malformed ones are 400 plain text', async () => {
    expect(names((await get('/v1/zones', q(' name =zone-1'))).body)).toEqual(['zone-1'])
    expect((await get('/v1/zones', q('name= zone-1'))).body.inventories).toHaveLength(0)
    expect((await get('/v1/zones', q('name'))).status).toBe(400)
    expect((await get('/v1/zones', q('name='))).status).toBe(400)
    expect((await get('/v1/zones', 'limit=ten')).status).toBe(400)
    expect((await get('/v1/zones', 'start=1.5')).status).toBe(400)
  })

  // RestServer.writeResponse: "set schema anyway if it's a query API".
  it('query replies carry schema beside inventories', async () => {
    expect(Object.keys((await get('/v1/zones')).body).sort()).toEqual(['inventories', 'schema'])
  })

  // RestServer.handleQueryApi: a sort without + or - is ascending.
  it('sort=name without a sign is ascending', async () => {
    const r = await get('/v1/vm-instances', 'sort=name')
    expect(r.body.inventories.map((v) => v.name)).toEqual(['vm-app', 'vm-db', 'vm-web'])
  })

  // Spec README, query section: an unknown field in q or sort is SYS.1000 with 503.
  it('unknown fields (constructor included) and unreadable values are 503 SYS.1000', async () => {
    for (const query of [
      q('nosuchfield=1'),
      q('constructor=1'),
      'sort=constructor',
      'sort=-nosuch',
      'fields=constructor',
      q('size>big'),
    ]) {
      const r = await get('/v1/volumes', query)
      expect(r.status, query).toBe(503)
      expect(JSON.parse((r.body as unknown as { text: string }).text).error.code, query).toBe('SYS.1000')
    }
  })
})

describe('large seed', () => {
  it('has 100,000 volume backups and 10,000 database backups and pages through them quickly', async () => {
    const big = await startTestSimulator({ seed: 'large' })
    try {
      expect(big.state.volumeBackups.rows.length).toBeGreaterThanOrEqual(100_000)
      expect(big.state.databaseBackups.rows.length).toBeGreaterThanOrEqual(10_000)
      const s = await rawLogin(big)
      const started = Date.now()
      let seen = 0
      for (let start = 0; start < 20_000; start += 1000) {
        const r = await fetch(
          `${big.baseUrl}/v1/volume-backups?sort=%2Buuid&limit=1000&start=${start}&replyWithCount=true`,
          {
            headers: { authorization: `OAuth ${s}` },
          },
        )
        const body = (await r.json()) as { inventories: unknown[]; total: number }
        expect(body.total).toBe(big.state.volumeBackups.rows.length)
        seen += body.inventories.length
      }
      expect(seen).toBe(20_000)
      // 20 pages of 1000 rows from 100k: the sorted result is cached, so this stays well under 10 s even on a busy machine.
      expect(Date.now() - started).toBeLessThan(10_000)
    } finally {
      await big.close()
    }
  }, 60_000)
})
