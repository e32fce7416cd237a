/**
 * `npm run bench -- sync-full`: a full sync of the large seed (100,000 volume backups + 10,000
 * database backups, plus its VMs, volumes, images, image stores) into an empty cache, as the app
 * runs it (worker thread, own REST client, paging, snapshot switch), against the baseline of the
 * same pages fetched, JSON.parsed and bulk-inserted by a minimal loop. Target: ratio ≤ 1.5 and
 * peak RSS < 300 MB.
 */
import { appSync, baselineSync, emit, startSimProcess, tempDb, warmUp, withPeakRss } from './_cache-bench.js'

export default async function syncFull(): Promise<void> {
  const sim = await startSimProcess('large')
  try {
    await warmUp(sim)
    const ours: number[] = []
    const base: number[] = []
    let peakRssMb = 0
    let rows = 0
    // Ours first, so its peak RSS is not inflated by what the baseline loop left in this process.
    for (let round = 0; round < 3; round++) {
      const a = tempDb()
      const run = await withPeakRss(() => appSync(sim, a.file, 'full'))
      ours.push(run.ms)
      if (round === 0) peakRssMb = run.peakRssMb
      rows = run.value.resources.reduce((n, r) => n + r.count, 0)
      a.remove()
      const b = tempDb()
      const t0 = performance.now()
      await baselineSync(sim, b.file)
      base.push(performance.now() - t0)
      b.remove()
    }
    const value = Math.min(...ours)
    const baseline = Math.min(...base)
    console.log(`rows synced: ${rows}`)
    console.log(
      `app sync (worker) ms: ${ours.map((x) => x.toFixed(0)).join(', ')}; peak RSS ${peakRssMb.toFixed(0)} MB`,
    )
    console.log(`baseline loop ms:    ${base.map((x) => x.toFixed(0)).join(', ')}`)
    emit({
      bench: 'sync-full',
      value: Math.round(value),
      unit: 'ms',
      baseline: Math.round(baseline),
      ratio: Number((value / baseline).toFixed(3)),
    })
  } finally {
    await sim.stop()
  }
}
