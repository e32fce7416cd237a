import type { Database } from 'better-sqlite3'
import type { ErrorEnvelope } from '../errors/app-error.js'
import { redact, redactValue } from '../errors/redact.js'
import type { OperationSummary } from './contract/index.js'

interface Row {
  op_id: string
  kind: string
  label: string
  subject: string | null
  connection_id: string | null
  state: OperationSummary['state']
  error: string | null
  started_at: string
  finished_at: string | null
}

/** Written when the app stopped while an operation ran: its outcome is not known. */
const INTERRUPTED: ErrorEnvelope = {
  code: 'op.interrupted',
  message: {
    en: 'The app stopped while this operation ran; its outcome is unknown. Check the resource itself.',
    zh: '此操作运行期间应用已停止，结果未知。请直接检查相关资源。',
  },
}

/** The `operation_history` table (migration 6): every operation's name, target, times, outcome and cause. */
export class OperationHistory {
  constructor(private readonly db: Database) {}

  /** Operations that were still running when the app last stopped end as failed, with the reason. */
  closeInterrupted(): void {
    this.db
      .prepare(
        `UPDATE operation_history SET state = 'failed', error = ?, finished_at = started_at WHERE state = 'running'`,
      )
      .run(JSON.stringify(INTERRUPTED))
  }

  started(op: OperationSummary): void {
    this.db
      .prepare(
        `INSERT INTO operation_history (op_id, kind, label, subject, connection_id, state, started_at)
         VALUES (?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(
        op.opId,
        op.kind,
        redact(op.label),
        op.subject === null ? null : redact(op.subject),
        op.connectionId,
        op.startedAt,
      )
  }

  finished(op: OperationSummary): void {
    this.db
      .prepare('UPDATE operation_history SET state = ?, error = ?, finished_at = ? WHERE op_id = ?')
      .run(op.state, op.error ? JSON.stringify(redactValue(op.error)) : null, op.finishedAt, op.opId)
  }

  /** Newest first. */
  list(limit = 500): OperationSummary[] {
    const rows = this.db
      .prepare('SELECT * FROM operation_history ORDER BY started_at DESC, rowid DESC LIMIT ?')
      .all(limit) as Row[]
    return rows.map((r) => ({
      opId: r.op_id,
      kind: r.kind,
      label: r.label,
      subject: r.subject,
      connectionId: r.connection_id,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      state: r.state,
      lastProgress: null,
      error: r.error === null ? null : (JSON.parse(r.error) as ErrorEnvelope),
    }))
  }
}
