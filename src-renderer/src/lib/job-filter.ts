import type { OperationSummary, ZStackJob } from '../../../src-main/api/contract/index.js'

/** What the Jobs screen's query bar and filters ask for; empty fields filter nothing. */
export interface JobFilter {
  text: string
  state: OperationSummary['state'] | ''
  /** The API name (DR calls) or the kind (`cache.sync`, `db.fetch`...). */
  api: string
  connectionId: string
  /** Only jobs started in the last N hours; 0 = any time. */
  withinHours: number
}

export const EMPTY_JOB_FILTER: JobFilter = { text: '', state: '', api: '', connectionId: '', withinHours: 0 }

/** The API a job ran, or its kind when it is not one DR call. */
export function jobApi(op: OperationSummary): string {
  return op.kind === 'zstack.dr' ? op.label : op.kind
}

/**
 * Whether `op` passes every filter. The text matches, case-insensitively, what the row shows:
 * its title (in the user's language), target, API, and the error's code and message.
 */
export function jobMatches(op: OperationSummary, f: JobFilter, title: string, now: number): boolean {
  if (f.state && op.state !== f.state) return false
  if (f.api && jobApi(op) !== f.api) return false
  if (f.connectionId && op.connectionId !== f.connectionId) return false
  if (f.withinHours > 0 && Date.parse(op.startedAt) < now - f.withinHours * 3_600_000) return false
  const needle = f.text.trim().toLowerCase()
  if (!needle) return true
  const haystack = [title, op.subject, jobApi(op), op.error?.code, op.error?.message.en, op.error?.message.zh]
  return haystack.some((s) => s?.toLowerCase().includes(needle))
}

/**
 * Whether a node job is the one a DR operation started: the same API on the same connection,
 * created once the operation had begun (within its first minute; one operation sends one call).
 */
export function startedBy(job: ZStackJob, op: OperationSummary): boolean {
  const delay = Date.parse(job.createdAt) - Date.parse(op.startedAt)
  return (
    op.kind === 'zstack.dr' &&
    job.api === op.label &&
    job.connectionId === op.connectionId &&
    delay >= -1000 &&
    delay < 60_000
  )
}
