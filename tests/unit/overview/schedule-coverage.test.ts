import { describe, expect, it } from 'vitest'
import {
  type ScheduledJobRow,
  scheduleCoverage,
  type TriggerRow,
} from '../../../src-main/overview/schedule-coverage.js'

const NOW = new Date('2026-11-30T00:00:00Z')
const HOUR = 3600
const job = (uuid: string, trigger: string, over: Partial<ScheduledJobRow> = {}): ScheduledJobRow => ({
  uuid,
  name: uuid,
  state: 'Enabled',
  targetUuid: `vm-${uuid}`,
  triggerUuids: [trigger],
  ...over,
})
const cron = (uuid: string, expr: string): TriggerRow => ({
  uuid,
  schedulerType: 'cron',
  cron: expr,
  schedulerInterval: null,
})
const triggers: TriggerRow[] = [
  cron('hourly', '0 15 * * * ?'),
  cron('daily', '0 0 1 * * ?'),
  cron('weekly', '0 0 2 ? * MON,THU'),
  { uuid: 'simple6h', schedulerType: 'simple', cron: null, schedulerInterval: 6 * HOUR },
  cron('broken', 'not a cron'),
]

describe('schedule coverage in the overview', () => {
  it('flags schedules whose runs are further apart than the RPO; keep × interval does not matter', () => {
    const c = scheduleCoverage(
      [job('a', 'hourly'), job('b', 'daily'), job('c', 'weekly'), job('d', 'simple6h')],
      triggers,
      24 * HOUR,
      NOW,
    )
    expect(c.scheduledUuids).toEqual(['vm-a', 'vm-b', 'vm-c', 'vm-d'])
    // MON 02:00 -> THU 02:00 is 3 days, THU -> MON 4 days: the longest gap counts.
    expect(c.breaches).toEqual([{ jobUuid: 'c', name: 'c', targetUuid: 'vm-c', intervalSeconds: 96 * HOUR }])
    const tight = scheduleCoverage([job('b', 'daily'), job('d', 'simple6h')], triggers, 4 * HOUR, NOW)
    expect(tight.breaches.map((b) => [b.jobUuid, b.intervalSeconds])).toEqual([
      ['b', 24 * HOUR],
      ['d', 6 * HOUR],
    ])
  })

  it('a paused schedule, a missing or unreadable trigger covers nothing and flags nothing', () => {
    const c = scheduleCoverage(
      [
        job('p', 'weekly', { state: 'Disabled' }),
        job('m', 'gone'),
        job('x', 'broken'),
        job('db', 'daily', { targetUuid: null }),
      ],
      triggers,
      HOUR,
      NOW,
    )
    expect(c.scheduledUuids).toEqual([])
    expect(c.breaches.map((b) => b.jobUuid)).toEqual(['db'])
  })

  it('with several triggers the most frequent one sets the gap', () => {
    const c = scheduleCoverage(
      [job('two', 'weekly', { triggerUuids: ['weekly', 'hourly'] })],
      triggers,
      2 * HOUR,
      NOW,
    )
    expect(c).toEqual({ scheduledUuids: ['vm-two'], breaches: [] })
  })
})
