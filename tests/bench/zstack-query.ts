import { ZStackClient } from '../../src-main/zstack/client.js'
import { parseEndpoint } from '../../src-main/zstack/endpoint.js'
import { queryAll } from '../../src-main/zstack/query-client.js'
import { query } from '../../src-shared/query/index.js'
import { startSimulator } from '../sim/simulator.js'

/**
 * Pulling all 100,000 volume backups of the `large` seed through the client's queryAll (pages of
 * 1000, sorted by uuid) against a plain fetch loop over the same pages (the baseline: what the
 * wire and the simulator cost without the client). Also reports the seed time.
 */
export default async function bench(): Promise<void> {
  const t0 = performance.now()
  const sim = await startSimulator({ seed: 'large' })
  const seedMs = performance.now() - t0
  try {
    const client = new ZStackClient({
      endpoint: parseEndpoint(sim.baseUrl),
      accountName: 'admin',
      password: () => 'password',
    })
    const session = (await client.login()).uuid

    const b0 = performance.now()
    let raw = 0
    for (let start = 0; ; start += 1000) {
      const r = await fetch(
        `${sim.baseUrl}/v1/volume-backups?sort=%2Buuid&limit=1000&start=${start}&replyWithCount=true`,
        {
          headers: { authorization: `OAuth ${session}` },
        },
      )
      const page = (await r.json()) as { inventories: unknown[] }
      raw += page.inventories.length
      if (page.inventories.length < 1000) break
    }
    const baselineMs = performance.now() - b0

    const c0 = performance.now()
    const rows = await queryAll(client, 'volumeBackups', query().build(), { pageSize: 1000 })
    const clientMs = performance.now() - c0
    if (rows.length !== raw) throw new Error(`queryAll returned ${rows.length} rows, raw paging ${raw}`)

    console.log(
      `large seed: ${sim.state.volumeBackups.rows.length} volume backups in ${seedMs.toFixed(0)} ms`,
    )
    console.log(
      `raw paging: ${raw} rows in ${baselineMs.toFixed(0)} ms; queryAll: ${rows.length} rows in ${clientMs.toFixed(0)} ms`,
    )
    console.log(
      JSON.stringify({
        bench: 'zstack-query',
        value: Math.round(clientMs),
        unit: 'ms to pull 100k volume backups',
        baseline: Math.round(baselineMs),
        ratio: Number((clientMs / baselineMs).toFixed(2)),
      }),
    )
  } finally {
    await sim.close()
  }
}
