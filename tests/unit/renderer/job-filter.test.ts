import { describe, expect, it } from 'vitest'
import type { OperationSummary, ZStackJob } from '../../../src-main/api/contract/index.js'
import { EMPTY_JOB_FILTER, jobApi, jobMatches, startedBy } from '../../../src-renderer/src/lib/job-filter.js'

const NOW = Date.parse('2026-11-30T12:00:00Z')
const op = (o: Partial<OperationSummary>): OperationSummary => ({
  opId: 'a'.repeat(32),
  kind: 'zstack.dr',
  label: 'DeleteVolumeBackup',
  startedAt: '2026-11-30T11:30:00Z',
  state: 'succeeded',
  lastProgress: null,
  subject: 'web-01 nightly',
  connectionId: 'c1',
  finishedAt: '2026-11-30T11:30:02Z',
  error: null,
  ...o,
})

describe('Jobs filters', () => {
  it('an empty filter lets everything through', () => {
    expect(jobMatches(op({}), EMPTY_JOB_FILTER, 'Delete', NOW)).toBe(true)
  })

  it('filters by state, API, connection and time', () => {
    const f = { ...EMPTY_JOB_FILTER }
    expect(jobMatches(op({}), { ...f, state: 'failed' }, '', NOW)).toBe(false)
    expect(jobMatches(op({}), { ...f, api: 'DeleteVolumeBackup' }, '', NOW)).toBe(true)
    expect(jobMatches(op({ kind: 'cache.sync', label: 'Sync' }), { ...f, api: 'cache.sync' }, '', NOW)).toBe(
      true,
    )
    expect(jobMatches(op({}), { ...f, connectionId: 'c2' }, '', NOW)).toBe(false)
    expect(jobMatches(op({}), { ...f, withinHours: 1 }, '', NOW)).toBe(true)
    expect(jobMatches(op({ startedAt: '2026-11-30T10:00:00Z' }), { ...f, withinHours: 1 }, '', NOW)).toBe(
      false,
    )
  })

  it('the text matches title, target, API and error, ignoring case', () => {
    const failed = op({
      state: 'failed',
      error: { code: 'zstack.server_error', message: { en: 'SYS.1006 refused', zh: '拒绝' } },
    })
    for (const text of ['WEB-01', 'deletevolume', 'sys.1006', '拒绝', 'Löschen'])
      expect(jobMatches(failed, { ...EMPTY_JOB_FILTER, text }, 'Backup löschen', NOW), text).toBe(true)
    expect(jobMatches(failed, { ...EMPTY_JOB_FILTER, text: 'nothing-like-it' }, 'x', NOW)).toBe(false)
  })

  it('names a DR call by its API and anything else by its kind', () => {
    expect(jobApi(op({}))).toBe('DeleteVolumeBackup')
    expect(jobApi(op({ kind: 'zstack.recover', label: 'RecoverDatabaseFromBackup' }))).toBe('zstack.recover')
  })

  it('ties a node job to the operation that started it', () => {
    const job = {
      api: 'DeleteVolumeBackup',
      connectionId: 'c1',
      createdAt: '2026-11-30T11:30:00.500Z',
    } as ZStackJob
    expect(startedBy(job, op({}))).toBe(true)
    expect(startedBy({ ...job, connectionId: 'c2' }, op({}))).toBe(false)
    expect(startedBy({ ...job, api: 'SyncBackupFromImageStoreBackupStorage' }, op({}))).toBe(false)
    expect(startedBy({ ...job, createdAt: '2026-11-30T11:40:00Z' }, op({}))).toBe(false)
    expect(startedBy(job, op({ kind: 'cache.sync' }))).toBe(false)
  })
})
