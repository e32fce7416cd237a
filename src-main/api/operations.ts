import { randomBytes } from 'node:crypto'
import { AppError, toEnvelope } from '../errors/app-error.js'
import type { OperationProgress, OperationSummary } from './contract/index.js'
import type { EventBus } from './event-bus.js'
import type { OperationHistory } from './operation-history.js'

export interface ProgressUpdate {
  phase: string
  done: number
  total: number | null
  unit: OperationProgress['unit']
}

export interface OperationControl {
  readonly opId: string
  readonly signal: AbortSignal
  /** Reports progress; rate and ETA are derived here so every long job shows them the same way. */
  progress(update: ProgressUpdate): void
}

interface Running {
  summary: OperationSummary
  controller: AbortController
  phaseStartedAt: number
  phaseStartDone: number
  phase: string
}

export interface OperationRetention {
  /** A finished operation is dropped from the list this long after it ended (default 1 h). */
  keepFinishedMs?: number
  /** At most this many finished operations are listed (default 200, the newest). */
  maxFinished?: number
}

/** An operation's label and what the starter knows of its target, for the job history. */
export interface OperationDescription {
  label: string
  subject?: string | null
  connectionId?: string | null
}

export function cancelledError(): AppError {
  return new AppError('op.cancelled', { en: 'Cancelled by the user.', zh: '已被用户取消。' })
}

/**
 * Long-running work (sync, fetch, restore): each gets an id, progress events with rate and ETA,
 * a finished event, and can be cancelled through `ops.cancel`.
 */
export class OperationRegistry {
  private readonly ops = new Map<string, Running>()
  private readonly keepFinishedMs: number
  private readonly maxFinished: number

  /**
   * With a history, every operation is also recorded in SQLite and listed again after a restart.
   * Finished operations leave the live list after a while (the history keeps them), so it stays small.
   */
  constructor(
    private readonly bus: EventBus,
    private readonly history?: OperationHistory,
    retention: OperationRetention = {},
  ) {
    this.keepFinishedMs = retention.keepFinishedMs ?? 3_600_000
    this.maxFinished = retention.maxFinished ?? 200
    history?.closeInterrupted()
  }

  /** Starts `work` and returns at once; the outcome arrives as an `op.finished` event. */
  start<T>(
    kind: string,
    what: string | OperationDescription,
    work: (op: OperationControl) => Promise<T>,
  ): { opId: string; done: Promise<T> } {
    const { label, ...meta }: OperationDescription = typeof what === 'string' ? { label: what } : what
    const opId = randomBytes(16).toString('hex')
    const controller = new AbortController()
    const running: Running = {
      summary: {
        opId,
        kind,
        label,
        startedAt: new Date().toISOString(),
        state: 'running',
        lastProgress: null,
        subject: meta.subject ?? null,
        connectionId: meta.connectionId ?? null,
        finishedAt: null,
        error: null,
      },
      controller,
      phaseStartedAt: Date.now(),
      phaseStartDone: 0,
      phase: '',
    }
    this.prune()
    this.ops.set(opId, running)
    this.history?.started(running.summary)
    const control: OperationControl = {
      opId,
      signal: controller.signal,
      progress: (update) => this.report(running, update),
    }
    const done = work(control).then(
      (value) => {
        this.finish(running, 'succeeded')
        return value
      },
      (error: unknown) => {
        const cancelled = controller.signal.aborted
        this.finish(running, cancelled ? 'cancelled' : 'failed', cancelled ? cancelledError() : error)
        throw error
      },
    )
    // The caller may only listen to events; an unobserved rejection must not crash the process.
    done.catch(() => {})
    return { opId, done }
  }

  cancel(opId: string): boolean {
    const running = this.ops.get(opId)
    if (running?.summary.state !== 'running') return false
    running.controller.abort(cancelledError())
    return true
  }

  /** This process's operations, then the recorded history of earlier runs (newest first). */
  list(): OperationSummary[] {
    this.prune()
    const live = [...this.ops.values()].map((r) => r.summary)
    const earlier = (this.history?.list() ?? []).filter((h) => !this.ops.has(h.opId))
    return [...live, ...earlier]
  }

  /** Drops finished operations past their time, and the oldest beyond the cap (insertion order = start order). */
  private prune(): void {
    const now = Date.now()
    let finished = 0
    for (const r of this.ops.values()) if (r.summary.finishedAt) finished++
    for (const [opId, r] of this.ops) {
      if (!r.summary.finishedAt) continue
      if (finished > this.maxFinished || now - Date.parse(r.summary.finishedAt) > this.keepFinishedMs) {
        this.ops.delete(opId)
        finished--
      }
    }
  }

  private report(running: Running, update: ProgressUpdate): void {
    const now = Date.now()
    if (update.phase !== running.phase) {
      running.phase = update.phase
      running.phaseStartedAt = now
      running.phaseStartDone = update.done
    }
    const seconds = (now - running.phaseStartedAt) / 1000
    const rate = seconds > 0.2 ? (update.done - running.phaseStartDone) / seconds : null
    const eta =
      rate && rate > 0 && update.total !== null ? Math.max(0, (update.total - update.done) / rate) : null
    const progress: OperationProgress = {
      opId: running.summary.opId,
      kind: running.summary.kind,
      ...update,
      ratePerSecond: rate,
      etaSeconds: eta === null ? null : Math.round(eta),
    }
    running.summary.lastProgress = progress
    this.bus.emit('op.progress', progress)
  }

  private finish(running: Running, outcome: 'succeeded' | 'failed' | 'cancelled', error?: unknown): void {
    const envelope = error === undefined ? null : toEnvelope(error)
    Object.assign(running.summary, { state: outcome, finishedAt: new Date().toISOString(), error: envelope })
    this.history?.finished(running.summary)
    const { opId, kind } = running.summary
    this.bus.emit(
      'op.finished',
      envelope ? { opId, kind, outcome, error: envelope } : { opId, kind, outcome },
    )
  }
}
