import { describe, expect, it } from 'vitest'
import type { OperationSummary } from '../../../src-main/api/contract/index.js'
import { finishedFromListing, mergeListed } from '../../../src-renderer/src/lib/op-records.js'

const error = {
  code: 'recovery.backup_truncated',
  message: { en: 'The file is truncated.', zh: '文件不完整。' },
}

function summary(over: Partial<OperationSummary>): OperationSummary {
  return {
    opId: 'op-1',
    kind: 'db.fetch',
    label: 'db.fetch',
    startedAt: '2026-11-30T16:00:00.000Z',
    state: 'running',
    lastProgress: null,
    subject: 'zstack-backup-db.gz',
    connectionId: null,
    finishedAt: null,
    error: null,
    ...over,
  }
}

const progress = (done: number) => ({
  opId: 'op-1',
  kind: 'db.fetch',
  phase: 'download',
  done,
  total: 100,
  unit: 'bytes' as const,
  ratePerSecond: null,
  etaSeconds: null,
})

describe("the renderer's record of an operation", () => {
  it('a listing taken before the operation ended does not make it running again, nor drop its error', () => {
    // As in CI: a progress event before the start call returned asked for a listing; `op.finished`
    // (failed, with its error) came before that listing's answer.
    const ended = summary({ state: 'failed', finishedAt: '2026-11-30T16:00:01.000Z', error })
    expect(mergeListed(ended, summary({ state: 'running' }))).toBe(ended)
    // Ended is final: the same record, so a listing every few seconds re-renders none of the ended ones.
    expect(mergeListed(ended, summary({ state: 'failed', error }))).toBe(ended)
  })

  it('an outcome read from a listing keeps its error, so the card says why it failed', () => {
    const listed = summary({ state: 'failed', error })
    expect(finishedFromListing(listed)).toEqual({ opId: 'op-1', kind: 'db.fetch', outcome: 'failed', error })
    expect(finishedFromListing(summary({ state: 'succeeded' }))).toEqual({
      opId: 'op-1',
      kind: 'db.fetch',
      outcome: 'succeeded',
    })
    expect(finishedFromListing(summary({ state: 'running' }))).toBeNull()
  })

  it('takes an ending from a listing, keeping the progress the events brought', () => {
    const known = summary({ lastProgress: progress(60) })
    const merged = mergeListed(known, summary({ state: 'cancelled', lastProgress: progress(40), error }))
    expect(merged).toMatchObject({ state: 'cancelled', error, lastProgress: { done: 60 } })
    expect(mergeListed(undefined, summary({ lastProgress: progress(40) })).lastProgress?.done).toBe(40)
  })
})
