/**
 * `npm run bench -- overview`: the protection overview of the large seed (2,000 VMs, 100,000 volume
 * backups, 10,000 database backups) computed from the cache, against one hand-written SQL
 * aggregate over the same tables in the same run: each VM's and data volume's newest Ready backup,
 * its age and how many Ready copies it has. Target: ratio ≤ 2 and the overview under 300 ms.
 */
import { loadavg } from 'node:os'
import { EventBus } from '../../src-main/api/event-bus.js'
import { OperationRegistry } from '../../src-main/api/operations.js'
import { CacheService } from '../../src-main/cache/service.js'
import { createLogger } from '../../src-main/log/logger.js'
import { OverviewService } from '../../src-main/overview/service.js'
import { BackupCatalog } from '../../src-main/recovery/scan/catalog.js'
import { emit, syncedLargeSeed, timeRuns } from './_cache-bench.js'
import { median } from './_result.js'

const RUNS = 15

const BASELINE_SQL = `
WITH newest AS (
  SELECT volumeUuid, count(*) AS n, max(createDate) AS at, id FROM cache_volume_backups
  WHERE snapshot_id = @s AND status = 'Ready' GROUP BY volumeUuid
), targets AS (
  SELECT uuid, name, rootVolumeUuid AS volumeUuid FROM cache_vm_instances WHERE snapshot_id = @s
  UNION ALL
  SELECT uuid, name, uuid FROM cache_volumes WHERE snapshot_id = @s AND type = 'Data'
)
SELECT t.uuid, t.name, nw.n, nw.at, @now - nw.at AS age,
       (SELECT count(*) FROM cache_volume_backup_refs r WHERE r.parent_id = nw.id AND r.status = 'Ready') AS copies
FROM targets t LEFT JOIN newest nw ON nw.volumeUuid = t.volumeUuid
ORDER BY nw.at IS NOT NULL, nw.at`

export default async function overview(): Promise<void> {
  console.log(`load average before (1, 5, 15 min): ${load()}`)
  const file = await syncedLargeSeed()
  const db = file.open()
  const bus = new EventBus()
  const cache = new CacheService({
    db,
    dbFile: file.file,
    ops: new OperationRegistry(bus),
    bus,
    log: createLogger({ level: 'silent' }),
    backend: {
      sourceFor: () => Promise.reject(new Error('offline bench')),
      queryNode: () => Promise.reject(new Error('offline bench')),
    },
  })
  try {
    db.prepare(
      "INSERT INTO zstack_connections (id, name, endpoint, account_name) VALUES ('bench', 'bench', 'http://127.0.0.1:8080/zstack', 'admin')",
    ).run()
    const service = new OverviewService({
      db,
      store: cache.store,
      cacheStatus: (id) => cache.status(id),
      catalog: new BackupCatalog(db),
    })
    const snapshot = cache.store.currentSnapshot('bench')!
    const baseline = db.prepare(BASELINE_SQL)
    const ours = () => service.overview('bench')
    const base = () => baseline.all({ s: snapshot, now: Date.now() })
    const o = ours()
    const rows = base().length
    if (rows !== o.items.length) throw new Error(`overview ${o.items.length} items, SQL ${rows}`)
    const mo = median(timeRuns(ours, RUNS))
    const mb = median(timeRuns(base, RUNS))
    console.log(
      `${o.counts.vms} VMs, ${o.counts.dataVolumes} data volumes, ${o.stores.length} stores; ` +
        `overview ${mo.toFixed(1)} ms, SQL aggregate ${mb.toFixed(1)} ms, ratio ${(mo / mb).toFixed(2)} ` +
        `(targets: ratio ≤ 2, < 300 ms)`,
    )
    console.log(`load average after: ${load()}`)
    emit({
      bench: 'overview',
      value: Number(mo.toFixed(2)),
      unit: 'ms (median)',
      baseline: Number(mb.toFixed(2)),
      ratio: Number((mo / mb).toFixed(3)),
    })
  } finally {
    await cache.close()
    db.close()
    file.remove()
  }
}

/** The machine is shared: the figures mean little without it. */
function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')
}
