import type { ScheduleBreach, ScheduleCoverage } from '../api/contract/overview.js'
import { nextCronRuns } from '../zstack/scheduler/next-runs.js'

/** A cached scheduler job, as the overview reads it (jobs and triggers link by the job's trigger uuids). */
export interface ScheduledJobRow {
  uuid: string
  name: string | null
  state: string | null
  targetUuid: string | null
  triggerUuids: string[]
}

export interface TriggerRow {
  uuid: string
  schedulerType: string | null
  cron: string | null
  schedulerInterval: number | null
}

/** Runs looked at to find a cron's longest gap: enough for a weekly pattern with a few days. */
const CRON_RUNS = 16

/**
 * Which VMs and volumes an enabled schedule backs up, and which schedules cannot meet the RPO
 * target: a run every N seconds leaves up to N seconds of changes unprotected, so N > RPO breaches.
 * A trigger this reader cannot understand is no interval: it is neither counted as a breach nor as fine.
 */
export function scheduleCoverage(
  jobs: readonly ScheduledJobRow[],
  triggers: readonly TriggerRow[],
  rpoSeconds: number,
  now: Date,
): ScheduleCoverage {
  const byUuid = new Map(triggers.map((t) => [t.uuid, t]))
  const scheduled = new Set<string>()
  const breaches: ScheduleBreach[] = []
  for (const j of jobs) {
    if (j.state !== 'Enabled') continue
    const gaps = j.triggerUuids
      .map((u) => byUuid.get(u))
      .map((t) => (t ? longestGap(t, now) : null))
      .filter((g): g is number => g !== null)
    if (gaps.length === 0) continue
    if (j.targetUuid) scheduled.add(j.targetUuid)
    // Several triggers on one job: the most frequent one sets how much can be lost.
    const interval = Math.min(...gaps)
    if (interval > rpoSeconds)
      breaches.push({ jobUuid: j.uuid, name: j.name, targetUuid: j.targetUuid, intervalSeconds: interval })
  }
  return { scheduledUuids: [...scheduled].sort(), breaches }
}

function longestGap(t: TriggerRow, now: Date): number | null {
  if (t.schedulerType === 'simple')
    return t.schedulerInterval && t.schedulerInterval > 0 ? t.schedulerInterval : null
  if (t.schedulerType !== 'cron' || !t.cron) return null
  try {
    const runs = nextCronRuns(t.cron, CRON_RUNS, now, 'UTC').map((d) => d.getTime())
    let gap = 0
    for (let i = 1; i < runs.length; i++) gap = Math.max(gap, runs[i]! - runs[i - 1]!)
    return runs.length > 1 ? gap / 1000 : null
  } catch {
    return null
  }
}
