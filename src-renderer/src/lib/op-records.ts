import type { OperationFinished, OperationSummary } from '../../../src-main/api/contract/index.js'

/**
 * How the renderer's record of an operation changes as news of it comes from two sides: the event
 * stream (`op.progress`, `op.finished`) and `ops.list` (a reload, a missed event). A listing may have
 * been taken before an event that arrived first, so the record of an ended operation is final (never
 * running again), and an outcome taken from a listing keeps the listing's error.
 */

/**
 * The record after a listing: the one known when it has ended (the same object: a listing every few
 * seconds re-renders nothing that ended), else the listed one with the progress the events brought
 * (newer than any listing of the same run).
 */
export function mergeListed(known: OperationSummary | undefined, listed: OperationSummary): OperationSummary {
  if (known && known.state !== 'running') return known
  return { ...listed, lastProgress: known?.lastProgress ?? listed.lastProgress }
}

/** The outcome a listing shows for an operation that has ended, with its error, as `op.finished` gives it. */
export function finishedFromListing(listed: OperationSummary): OperationFinished | null {
  if (listed.state === 'running') return null
  return {
    opId: listed.opId,
    kind: listed.kind,
    outcome: listed.state,
    ...(listed.error ? { error: listed.error } : {}),
  }
}
