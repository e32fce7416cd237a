/**
 * `npm run bench -- query-offline`: 20 representative queries (equality, LIKE, IN, date and size
 * ranges, nested refs, sort + paging, count, groupBy) answered by the local query engine on a cache
 * synced from the large seed, against hand-written SQL for the same question on the same database
 * (docs JSON.parsed as well). Target: median ratio ≤ 1.5 and every query's median < 20 ms.
 */

import { gsonToWallMs } from '../../src-main/cache/dates.js'
import { LocalQueryEngine } from '../../src-main/cache/local-query.js'
import type { ResourceName } from '../../src-main/cache/resources.js'
import { toOptions } from '../../src-main/cache/service.js'
import { CacheStore } from '../../src-main/cache/store.js'
import type { Database } from '../../src-main/db/index.js'
import { emit, syncedLargeSeed, timeRuns } from './_cache-bench.js'
import { median } from './_result.js'

interface Case {
  label: string
  resource: ResourceName
  q: string[]
  opts?: {
    limit?: number
    start?: number
    sort?: string
    count?: boolean
    groupBy?: string
    replyWithCount?: boolean
  }
  /** Hand-written SQL; `?` is the snapshot id. Returns docs (parsed) or a count. */
  sql: string
  args?: unknown[]
  count?: boolean
}

const RUNS = 25

export default async function queryOffline(): Promise<void> {
  const file = await syncedLargeSeed()
  const db = file.open()
  try {
    db.pragma('mmap_size = 268435456')
    const store = new CacheStore(db)
    const snapshot = store.currentSnapshot('bench')!
    const engine = new LocalQueryEngine(db, store)
    const cases = buildCases(db, snapshot)
    const ratios: number[] = []
    const oursAll: number[] = []
    const baseAll: number[] = []
    let slowest = 0
    for (const c of cases) {
      const options = toOptions({ q: c.q, ...c.opts })
      const ours = () => engine.runOn(snapshot, c.resource, options)
      const stmt = db.prepare(c.sql)
      const base = () =>
        c.count
          ? stmt.pluck().get(snapshot, ...(c.args ?? []))
          : (stmt.pluck().all(snapshot, ...(c.args ?? [])) as string[]).map((d) => JSON.parse(d))
      const a = ours()
      const b = base()
      const sizeA = c.count ? a.total : a.inventories?.length
      const sizeB = c.count ? b : (b as unknown[]).length
      if (sizeA !== sizeB) throw new Error(`${c.label}: engine ${sizeA} rows, SQL ${sizeB}`)
      const mo = median(timeRuns(ours, RUNS))
      const mb = median(timeRuns(base, RUNS))
      ratios.push(mo / mb)
      oursAll.push(mo)
      baseAll.push(mb)
      slowest = Math.max(slowest, mo)
      console.log(
        `${c.label.padEnd(48)} ${String(sizeA).padStart(6)} rows  engine ${mo.toFixed(2).padStart(7)} ms  SQL ${mb.toFixed(2).padStart(7)} ms  ratio ${(mo / mb).toFixed(2)}`,
      )
    }
    console.log(`slowest engine median: ${slowest.toFixed(2)} ms; median ratio ${median(ratios).toFixed(3)}`)
    emit({
      bench: 'query-offline',
      value: Number(median(oursAll).toFixed(3)),
      unit: 'ms (median of per-query medians)',
      baseline: Number(median(baseAll).toFixed(3)),
      ratio: Number(median(ratios).toFixed(3)),
    })
  } finally {
    db.close()
    file.remove()
  }
}

function buildCases(db: Database, snap: number): Case[] {
  const pick = (sql: string) => db.prepare(sql).pluck().get(snap) as string
  const vb = (n: number) =>
    pick(`SELECT uuid FROM cache_volume_backups WHERE snapshot_id = ? ORDER BY id LIMIT 1 OFFSET ${n}`)
  const uuid = vb(54_321)
  const name = pick(
    'SELECT name FROM cache_volume_backups WHERE snapshot_id = ? ORDER BY id LIMIT 1 OFFSET 777',
  )
  const group = pick(
    'SELECT groupUuid FROM cache_volume_backups WHERE snapshot_id = ? AND groupUuid IS NOT NULL LIMIT 1 OFFSET 5000',
  )
  const volume = pick('SELECT volumeUuid FROM cache_volume_backups WHERE snapshot_id = ? LIMIT 1 OFFSET 3000')
  const bs = pick('SELECT backupStorageUuid FROM cache_volume_backup_refs WHERE snapshot_id = ? LIMIT 1')
  const vm = pick("SELECT uuid FROM cache_vm_instances WHERE snapshot_id = ? AND name = 'bench-vm-42'")
  const ten = Array.from({ length: 10 }, (_, i) => vb(i * 9_001))
  const from = '2017-03-01T00:00:00'
  const to = '2017-04-01T00:00:00'
  const wall = (iso: string) => gsonToWallMs(isoToGson(iso))!
  const docs = (table: string, where: string, tail = 'ORDER BY t.id LIMIT 1000') =>
    `SELECT d.doc FROM ${table} t JOIN ${table}_doc d ON d.id = t.id WHERE t.snapshot_id = ? AND ${where} ${tail}`
  const VB = 'cache_volume_backups'
  return [
    {
      label: 'uuid=',
      resource: 'volumeBackups',
      q: [`uuid=${uuid}`],
      sql: docs(VB, 't.uuid = ?'),
      args: [uuid],
    },
    {
      label: 'name= (exact, indexed)',
      resource: 'volumeBackups',
      q: [`name=${name}`],
      sql: docs(VB, 't.name = ?'),
      args: [name],
    },
    {
      label: 'groupUuid= (a VM backup)',
      resource: 'volumeBackups',
      q: [`groupUuid=${group}`],
      sql: docs(VB, 't.groupUuid = ?'),
      args: [group],
    },
    {
      label: "volumeUuid= (a volume's backups)",
      resource: 'volumeBackups',
      q: [`volumeUuid=${volume}`],
      sql: docs(VB, 't.volumeUuid = ?'),
      args: [volume],
    },
    {
      label: 'name~=prefix% limit 100',
      resource: 'volumeBackups',
      q: ['name~=bench-vm-123-%'],
      opts: { limit: 100 },
      sql: docs(VB, "t.name LIKE 'bench-vm-123-%'", 'ORDER BY t.id LIMIT 100'),
    },
    {
      label: 'name~=%infix% (scan)',
      resource: 'volumeBackups',
      q: ['name~=%single-3999%'],
      sql: docs(VB, "t.name LIKE '%single-3999%'"),
    },
    {
      label: 'uuid?= 10 uuids',
      resource: 'volumeBackups',
      q: [`uuid?=${ten.join(',')}`],
      sql: docs(VB, `t.uuid IN (${ten.map(() => '?').join(',')})`),
      args: ten,
    },
    {
      label: 'status?=Ready,Creating limit 50',
      resource: 'volumeBackups',
      q: ['status?=Ready,Creating'],
      opts: { limit: 50 },
      sql: docs(VB, "t.status IN ('Ready', 'Creating')", 'ORDER BY t.id LIMIT 50'),
    },
    {
      label: 'createDate in a month, limit 100',
      resource: 'volumeBackups',
      q: [`createDate>=${from}`, `createDate<${to}`],
      opts: { limit: 100 },
      sql: docs(VB, 't.createDate >= ? AND t.createDate < ?', 'ORDER BY t.id LIMIT 100'),
      args: [wall(from), wall(to)],
    },
    {
      label: 'createDate in a month, count',
      resource: 'volumeBackups',
      q: [`createDate>=${from}`, `createDate<${to}`],
      opts: { count: true },
      sql: `SELECT count(*) FROM ${VB} t WHERE t.snapshot_id = ? AND t.createDate >= ? AND t.createDate < ?`,
      args: [wall(from), wall(to)],
      count: true,
    },
    {
      label: 'size>30 GB, count',
      resource: 'volumeBackups',
      q: ['size>32212254720'],
      opts: { count: true },
      sql: `SELECT count(*) FROM ${VB} t WHERE t.snapshot_id = ? AND t.size > 32212254720`,
      count: true,
    },
    {
      label: 'refs.backupStorageUuid= limit 100',
      resource: 'volumeBackups',
      q: [`backupStorageRefs.backupStorageUuid=${bs}`],
      opts: { limit: 100 },
      sql: docs(
        VB,
        'EXISTS (SELECT 1 FROM cache_volume_backup_refs r WHERE r.parent_id = t.id AND r.backupStorageUuid = ?)',
        'ORDER BY t.id LIMIT 100',
      ),
      args: [bs],
    },
    {
      label: 'refs.backupStorageUuid= count',
      resource: 'volumeBackups',
      q: [`backupStorageRefs.backupStorageUuid=${bs}`],
      opts: { count: true },
      sql: `SELECT count(DISTINCT r.parent_id) FROM cache_volume_backup_refs r WHERE r.snapshot_id = ? AND r.backupStorageUuid = ?`,
      args: [bs],
      count: true,
    },
    {
      label: 'sort=-createDate limit 50 start 1000',
      resource: 'volumeBackups',
      q: [],
      opts: { sort: '-createDate', limit: 50, start: 1000 },
      sql: docs(VB, '1', 'ORDER BY t.createDate DESC, t.id LIMIT 50 OFFSET 1000'),
    },
    {
      label: 'sort=+name limit 50',
      resource: 'volumeBackups',
      q: [],
      opts: { sort: '+name', limit: 50 },
      sql: docs(VB, '1', 'ORDER BY t.name, t.id LIMIT 50'),
    },
    {
      label: 'count (all)',
      resource: 'volumeBackups',
      q: [],
      opts: { count: true },
      sql: `SELECT count(*) FROM ${VB} t WHERE t.snapshot_id = ?`,
      count: true,
    },
    {
      label: 'groupBy=groupUuid, count',
      resource: 'volumeBackups',
      q: [],
      opts: { groupBy: 'groupUuid', count: true },
      sql: `SELECT count(*) FROM (SELECT 1 FROM ${VB} t WHERE t.snapshot_id = ? GROUP BY t.groupUuid)`,
      count: true,
    },
    {
      label: 'db backups name~= sort -createDate',
      resource: 'databaseBackups',
      q: ['name~=db-backup-99%'],
      opts: { sort: '-createDate' },
      sql: docs(
        'cache_database_backups',
        "t.name LIKE 'db-backup-99%'",
        'ORDER BY t.createDate DESC, t.id LIMIT 1000',
      ),
    },
    {
      label: 'vms state=Stopped sort +name limit 100',
      resource: 'vmInstances',
      q: ['state=Stopped'],
      opts: { sort: '+name', limit: 100 },
      sql: docs('cache_vm_instances', "t.state = 'Stopped'", 'ORDER BY t.name, t.id LIMIT 100'),
    },
    {
      label: 'volumes vmInstanceUuid=',
      resource: 'volumes',
      q: [`vmInstanceUuid=${vm}`],
      sql: docs('cache_volumes', 't.vmInstanceUuid = ?'),
      args: [vm],
    },
  ]
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
function isoToGson(iso: string): string {
  const d = new Date(`${iso}Z`)
  const h = d.getUTCHours()
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h % 12 || 12}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`
}
