import type { Database } from 'better-sqlite3'
import type { JobState, ZStackJob } from '../../api/contract/zstack.js'
import type { ErrorEnvelope } from '../../errors/app-error.js'
import { redact, redactValue } from '../../errors/redact.js'

export type { JobState } from '../../api/contract/zstack.js'

/** One async API call this app started, as persisted (no secrets: no body, no session). */
export type JobRecord = ZStackJob

export type NewJob = Pick<
  JobRecord,
  'jobUuid' | 'connectionId' | 'endpoint' | 'api' | 'method' | 'path' | 'targetUuid'
>

export interface JobPatch {
  state: JobState
  location?: string
  result?: unknown
  error?: ErrorEnvelope
}

/** Where the client reports each step of an async call. */
export interface JobRecorder {
  started(job: NewJob): void
  update(jobUuid: string, patch: JobPatch): void
}

interface Row {
  job_uuid: string
  connection_id: string | null
  endpoint: string
  api: string
  method: string
  path: string
  target_uuid: string | null
  location: string | null
  state: JobState
  result: string | null
  error: string | null
  created_at: string
  updated_at: string
  finished_at: string | null
}

const FINAL: readonly JobState[] = ['succeeded', 'failed', 'expired']

/** The `zstack_jobs` table (migration 2). */
export class JobRepository implements JobRecorder {
  constructor(private readonly db: Database) {}

  started(job: NewJob): void {
    const now = new Date().toISOString()
    this.db
      .prepare(
        `INSERT INTO zstack_jobs (job_uuid, connection_id, endpoint, api, method, path, target_uuid, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'sending', ?, ?)`,
      )
      .run(
        job.jobUuid,
        job.connectionId,
        job.endpoint,
        job.api,
        job.method,
        redact(job.path),
        job.targetUuid,
        now,
        now,
      )
  }

  update(jobUuid: string, patch: JobPatch): void {
    const now = new Date().toISOString()
    this.db
      .prepare(
        `UPDATE zstack_jobs SET state = ?, location = COALESCE(?, location), result = COALESCE(?, result),
           error = COALESCE(?, error), updated_at = ?, finished_at = CASE WHEN ? THEN ? ELSE finished_at END
         WHERE job_uuid = ?`,
      )
      .run(
        patch.state,
        patch.location ?? null,
        patch.result === undefined ? null : JSON.stringify(redactValue(patch.result)),
        patch.error === undefined ? null : JSON.stringify(redactValue(patch.error)),
        now,
        FINAL.includes(patch.state) ? 1 : 0,
        now,
        jobUuid,
      )
  }

  get(jobUuid: string): JobRecord | null {
    const row = this.db.prepare('SELECT * FROM zstack_jobs WHERE job_uuid = ?').get(jobUuid) as
      | Row
      | undefined
    return row ? fromRow(row) : null
  }

  /** Newest first. */
  list(filter: { connectionId?: string; states?: readonly JobState[]; limit?: number } = {}): JobRecord[] {
    const where: string[] = []
    const args: unknown[] = []
    if (filter.connectionId !== undefined) {
      where.push('connection_id = ?')
      args.push(filter.connectionId)
    }
    if (filter.states && filter.states.length > 0) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`)
      args.push(...filter.states)
    }
    const sql = `SELECT * FROM zstack_jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, rowid DESC LIMIT ?`
    return (this.db.prepare(sql).all(...args, filter.limit ?? 500) as Row[]).map(fromRow)
  }
}

function fromRow(r: Row): JobRecord {
  return {
    jobUuid: r.job_uuid,
    connectionId: r.connection_id,
    endpoint: r.endpoint,
    api: r.api,
    method: r.method,
    path: r.path,
    targetUuid: r.target_uuid,
    location: r.location,
    state: r.state,
    result: r.result === null ? null : JSON.parse(r.result),
    error: r.error === null ? null : (JSON.parse(r.error) as ErrorEnvelope),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  }
}
