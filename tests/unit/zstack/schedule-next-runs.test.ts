import { describe, expect, it } from 'vitest'
import { nextCronRuns, nextSimpleRuns } from '../../../src-main/zstack/scheduler/next-runs.js'
import { parseStoreList } from '../../../src-main/zstack/scheduler/rules.js'
import { cronInWords, cronOf, intervalInWords } from '../../../src-main/zstack/scheduler/when.js'

const from = new Date('2026-11-30T12:00:00Z') // a Monday
const iso = (ds: Date[]) => ds.map((d) => d.toISOString())

describe('Quartz next runs (croner in Quartz mode)', () => {
  it('weekday numbers are Quartz ones: 2 = Monday, 1 = Sunday', () => {
    expect(iso(nextCronRuns('0 0 3 ? * 2', 2, from, 'UTC'))).toEqual([
      '2026-12-07T03:00:00.000Z',
      '2026-12-14T03:00:00.000Z',
    ])
    expect(nextCronRuns('0 0 3 ? * 1', 1, from, 'UTC')[0]!.getUTCDay()).toBe(0)
  })
  it('L (last day of month), a 7th year field, and the node time zone', () => {
    expect(iso(nextCronRuns('0 30 23 L * ?', 2, from, 'UTC'))).toEqual([
      '2026-11-30T23:30:00.000Z',
      '2026-12-31T23:30:00.000Z',
    ])
    expect(nextCronRuns('0 0 0 1 1 ? 2027', 5, from, 'UTC')).toHaveLength(1)
    expect(iso(nextCronRuns('0 0 2 * * ?', 1, from, 'Asia/Shanghai'))).toEqual(['2026-11-30T18:00:00.000Z'])
  })
  it('a 5-field Unix cron is refused with an AppError', () => {
    expect(() => nextCronRuns('0 2 * * *', 1, from)).toThrow(
      expect.objectContaining({ code: 'zstack.scheduler_cron' }),
    )
  })
})

describe('simple triggers, presets, words, store lists', () => {
  it('start + k × interval after now; repeatCount ends it; 0 = forever', () => {
    const start = Date.parse('2026-11-30T11:00:00Z') / 1000
    expect(iso(nextSimpleRuns(start, 3600, 0, 3, from))).toEqual([
      '2026-11-30T13:00:00.000Z',
      '2026-11-30T14:00:00.000Z',
      '2026-11-30T15:00:00.000Z',
    ])
    expect(nextSimpleRuns(start, 3600, 2, 5, from)).toHaveLength(1)
  })
  it('presets become Quartz crons', () => {
    expect(cronOf({ kind: 'hourly', minute: 15 })).toBe('0 15 * * * ?')
    expect(cronOf({ kind: 'daily', time: '01:30' })).toBe('0 30 1 * * ?')
    expect(cronOf({ kind: 'weekly', days: ['MON', 'THU'], time: '22:05' })).toBe('0 5 22 ? * MON,THU')
  })
  it('words in both languages', () => {
    expect(cronInWords('0 30 1 * * ?').en).toBe('At 01:30')
    expect(cronInWords('0 0 2 ? * 2').zh).toMatch(/星期一/)
    expect(intervalInWords(7200)).toEqual({ en: 'Every 2 hours', zh: '每 2 小时' })
  })
  it('stores: a JSON list or a comma list; anything else is none', () => {
    expect(parseStoreList('["a","b"]')).toEqual(['a', 'b'])
    expect(parseStoreList('a, b')).toEqual(['a', 'b'])
    expect(parseStoreList('[broken')).toEqual([])
    expect(parseStoreList(undefined)).toEqual([])
  })
})
