import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionOverview } from '../../../src-main/api/contract/index.js'
import { EXIT_BREACH } from '../../../src-main/cli/commands/report.js'
import { createServices } from '../../../src-main/services.js'
import {
  HOUR,
  publishSnapshot,
  saveConnection,
  store,
  vm,
  volumeBackup,
} from '../../fixtures/overview/inventory.js'
import { runZsdrInProcess } from '../../harness/cli.js'
import { type Simulator, startTestSimulator } from '../../harness/simulator.js'
import { makeTempDir } from '../../harness/temp.js'

/**
 * `zsdr report`: the demo cloud synced from the simulator, then reported with the simulator
 * stopped (the report never needs the node), in every format; plus a crafted connection whose
 * only VM is within its target, for the exit code without a breach.
 */
let sim: Simulator
const home = makeTempDir('cli-report')
const zsdr = (args: string[]) => runZsdrInProcess(args, { ZSDR_HOME: home.path, ZSDR_PASSWORD: 'password' })

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 'demo' })
  const synced = await zsdr(['cache', 'sync', sim.baseUrl, '--json'])
  expect(synced.code, synced.stderr).toBe(0)
  await sim.close()
  const services = createServices({ dataDir: home.path })
  try {
    const id = saveConnection(services.db, 'fresh', 'http://10.9.9.9:8080/zstack')
    const bs = store('bs-fresh', 'Connected', '10.9.9.10')
    const one = vm('vm-fresh')
    publishSnapshot(services.cache.store, id, {
      imageStoreBackupStorages: [bs],
      vmInstances: [one.vm],
      volumes: [one.root],
      volumeBackups: [volumeBackup(one.root.uuid as string, HOUR, [bs], {}, new Date())],
    })
  } finally {
    await services.close()
  }
}, 120_000)
afterAll(() => home.remove())

describe('zsdr report', () => {
  it('--json: the demo cloud from the cache with the node down, breaches first, cache age stated', async () => {
    const r = await zsdr(['report', sim.baseUrl, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const [o] = JSON.parse(r.stdout) as ConnectionOverview[]
    expect(o!.cache.synced).toBe(true)
    expect(o!.cache.ageSeconds).toBeGreaterThanOrEqual(0)
    // vm-web, vm-db, vm-app; vm-app was never backed up, the others in 2017
    expect(o!.counts).toMatchObject({ vms: 3, vmsOutside: 3, vmsNever: 1 })
    // never backed up first (by name), then the oldest
    expect(o!.items.slice(0, 2).map((i) => [i.name, i.breached, i.ageSeconds])).toEqual([
      ['data-detached', true, null],
      ['vm-app', true, null],
    ])
    const db = o!.items.find((i) => i.name === 'vm-db')!
    expect(db.stores.map((s) => s.name).sort()).toEqual(['bs-dr', 'bs-local'])
    expect(db.onTwoStores).toBe(true)
    expect(o!.stores.find((s) => s.name === 'bs-broken')).toMatchObject({ status: 'Disconnected' })
    expect(o!.database.perStore.map((p) => p.store.name).sort()).toEqual(['bs-dr', 'bs-local'])
  })

  it('--output ndjson (the default when piped): one overview per line', async () => {
    const r = await zsdr(['report'])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines.map((l) => (JSON.parse(l) as ConnectionOverview).connectionName)).toContain('fresh')
  })

  it('text form: counts first, in English or Chinese', async () => {
    const en = await zsdr(['report', sim.baseUrl, '-o', 'table'])
    expect(en.code, en.stderr).toBe(0)
    expect(en.stdout).toContain('3 of 3 VMs outside 1 d; 1 never backed up')
    expect(en.stdout).toMatch(/Offline inventory age: \d+ (s|min)/)
    const zh = await zsdr(['report', sim.baseUrl, '-o', 'table', '--lang', 'zh'])
    expect(zh.stdout).toContain('3 台云主机中有 3 台超出 1 天；1 台从未备份')
  })

  it('--csv: one row per VM and data volume, with connection, cache age and RPO on each', async () => {
    const r = await zsdr(['report', sim.baseUrl, '--csv'])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(
      'connection,endpoint,generated_at,cache_age_seconds,rpo_hours,kind,name,uuid,vm_name,vm_uuid,newest_backup,newest_backup_uuid,newest_backup_at,age_seconds,backups,stores,on_two_stores,breached',
    )
    // 3 VMs, data volumes: vm-web's, vm-db's two, data-detached
    expect(lines).toHaveLength(1 + 3 + 4)
    const app = lines.find((l) => l.includes(',vm-app,'))!.split(',')
    expect(app[5]).toBe('vm')
    expect(app[4]).toBe('24')
    expect(app.at(-1)).toBe('true')
    expect(app[13]).toBe('') // never backed up: no age
  })

  it('--html FILE: a self-contained report in the chosen language', async () => {
    const file = join(home.path, 'report.html')
    const r = await zsdr(['report', sim.baseUrl, '--html', file, '--lang', 'zh'])
    expect(r.code, r.stderr).toBe(0)
    const html = readFileSync(file, 'utf8')
    expect(html).toContain('<html lang="zh-CN">')
    expect(html).toContain('保护概览')
    expect(html).toContain(sim.baseUrl)
    expect(html).toContain('离线清单的时效')
    expect(html).toContain("default-src 'none'")
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/)
  })

  it('--fail-on-breach: 3 when an RPO is breached, 0 when none is; --rpo changes the target', async () => {
    const breached = await zsdr(['report', sim.baseUrl, '--fail-on-breach', '--json'])
    expect(breached.code).toBe(EXIT_BREACH)
    const fine = await zsdr(['report', 'fresh', '--fail-on-breach', '-o', 'table'])
    expect(fine.code, fine.stderr).toBe(0)
    expect(fine.stdout).toContain('0 of 1 VMs outside 1 d; 0 never backed up')
    const tight = await zsdr(['report', 'fresh', '--rpo', '0.5', '--fail-on-breach', '-o', 'table'])
    expect(tight.code).toBe(EXIT_BREACH)
    expect(tight.stdout).toContain('1 of 1 VMs outside 30 min')
  })

  it('every saved connection when none is named: one line each first', async () => {
    const r = await zsdr(['report', '-o', 'table'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^fresh: [01] of 1 VMs outside .*\(Offline inventory age: \d+ s\)$/m)
    expect(r.stdout).toMatch(/^\S+: 3 of 3 VMs outside 1 d; 1 never backed up \(/m)
  })

  it('bad input: unknown connection, --rpo for all at once, conflicting formats', async () => {
    const unknown = await zsdr(['report', 'nowhere'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('no saved connection "nowhere"')
    const all = await zsdr(['report', '--rpo', '12'])
    expect(all.code).toBe(1)
    expect(all.stderr).toContain('--rpo needs the connections')
    const both = await zsdr(['report', '--csv', '--json'])
    expect(both.code).toBe(2)
    const html = await zsdr(['report', '--html', join(home.path, 'x.html'), '-o', 'ndjson'])
    expect(html.code).toBe(2)
    const bad = await zsdr(['report', 'fresh', '--rpo', '-1'])
    expect(bad.code).toBe(2)
  })
})
