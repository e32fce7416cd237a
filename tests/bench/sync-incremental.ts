/**
 * `npm run bench -- sync-incremental`: after a full sync of the large seed, an incremental sync
 * with nothing changed on the server (changed-since queries and counts only). Baseline: the full
 * sync's time in the same run. Target: ratio < 0.05.
 */
import { appSync, emit, startSimProcess, tempDb, warmUp } from './_cache-bench.js'

export default async function syncIncremental(): Promise<void> {
  const sim = await startSimProcess('large')
  const db = tempDb()
  try {
    await warmUp(sim)
    const t0 = performance.now()
    await appSync(sim, db.file, 'full')
    const full = performance.now() - t0
    const runs: number[] = []
    for (let i = 0; i < 5; i++) {
      const t = performance.now()
      const result = await appSync(sim, db.file, 'incremental')
      runs.push(performance.now() - t)
      if (result.mode !== 'incremental' || result.resources.some((r) => r.changed === undefined)) {
        throw new Error('expected an incremental sync')
      }
    }
    const value = runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)]!
    console.log(
      `full sync ms: ${full.toFixed(0)}; incremental (no change) ms: ${runs.map((r) => r.toFixed(0)).join(', ')}`,
    )
    emit({
      bench: 'sync-incremental',
      value: Math.round(value),
      unit: 'ms',
      baseline: Math.round(full),
      ratio: Number((value / full).toFixed(4)),
    })
  } finally {
    db.remove()
    await sim.stop()
  }
}
