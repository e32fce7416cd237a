import { createInventorySource, type ZStackInventorySource } from '../../../src-main/cache/zstack-source.js'
import { SeededRandom } from '../../sim/ids.js'
import { addDatabaseBackup, addVolumeBackup, SEED_EPOCH } from '../../sim/seed.js'
import { ADMIN_ACCOUNT, ADMIN_PASSWORD, type Simulator, startSimulator } from '../../sim/simulator.js'

/**
 * The demo cloud plus a few hundred backups with awkward values (names that differ only in case,
 * `%`, `_` and spaces in names, null descriptions and groups, many equal dates) so random queries meet
 * ties, nulls and LIKE edge cases. Dates are whole seconds, as on the real node (MySQL TIMESTAMP).
 */
export async function startDiffSimulator(extraBackups = 400): Promise<Simulator> {
  const sim = await startSimulator({ seed: 'demo', jobLatencyMs: 20 })
  const rnd = new SeededRandom(4242)
  const volumes = sim.state.volumes.rows
  const stores = sim.state.backupStorages.rows.map((b) => b.uuid)
  const words = [
    'web',
    'Web',
    'WEB',
    'db',
    'db_1',
    'db%1',
    'app',
    'nightly',
    'weekly',
    'a_b',
    'A%B',
    // Spaces inside values: a node takes the value as is (RestServer.handleQueryApi does not trim it).
    'web server',
    'Web  Server',
    'night ly',
  ]
  for (let i = 0; i < extraBackups; i++) {
    const volume = volumes[i % volumes.length]!
    const at = SEED_EPOCH - rnd.int(0, 40) * 3_600_000
    const refs = stores.filter(() => rnd.next() < 0.4)
    const b = addVolumeBackup(
      sim.state,
      rnd,
      volume,
      `${rnd.pick(words)}-${rnd.int(0, 30)}`,
      null,
      refs.length ? refs : [stores[0]!],
      at,
    )
    if (rnd.next() < 0.3) b.description = null
    if (rnd.next() < 0.3) b.groupUuid = rnd.pick(['g1'.padEnd(32, '0'), 'g2'.padEnd(32, '0')])
    if (rnd.next() < 0.2) b.lastOpDate = at + rnd.int(0, 5) * 60_000
  }
  for (let i = 0; i < extraBackups / 5; i++) {
    const at = SEED_EPOCH - rnd.int(0, 20) * 86_400_000
    addDatabaseBackup(
      sim.state,
      rnd,
      `${rnd.pick(words)}-db-${i}`,
      stores.filter(() => rnd.next() < 0.5),
      at,
    )
  }
  return sim
}

export function simSource(sim: Simulator): ZStackInventorySource {
  return createInventorySource({
    endpoint: sim.baseUrl,
    accountName: ADMIN_ACCOUNT,
    password: ADMIN_PASSWORD,
  })
}
