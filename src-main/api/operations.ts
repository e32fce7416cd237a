import { randomBytes } from 'node:crypto'
import { AppError, toEnvelope } from '../errors/app-error.js'
import type { OperationProgress, OperationSummary } from './contract/index.js'
import type { EventBus } from './event-bus.js'

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
  /** Date.now() when it ended; null while running. */
  finishedAt: number | null
}

export interface OperationRetention {
  /** A finished operation is dropped from the list this long after it ended (default 1 h). */
  keepFinishedMs?: number
  /** At most this many finished operations are listed (default 200, the newest). */
  maxFinished?: number
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
   * Finished operations are pruned after a while: the list is for what runs now and what just
   * ended (the history of node jobs is in the jobs store; each door's events carry every outcome).
   */
  constructor(
    private readonly bus: EventBus,
    retention: OperationRetention = {},
  ) {
    this.keepFinishedMs = retention.keepFinishedMs ?? 3_600_000
    this.maxFinished = retention.maxFinished ?? 200
  }

  /** Starts `work` and returns at once; the outcome arrives as an `op.finished` event. */
  start<T>(
    kind: string,
    label: string,
    work: (op: OperationControl) => Promise<T>,
  ): { opId: string; done: Promise<T> } {
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
      },
      controller,
      phaseStartedAt: Date.now(),
      phaseStartDone: 0,
      phase: '',
      finishedAt: null,
    }
    this.prune()
    this.ops.set(opId, running)
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

  list(): OperationSummary[] {
    this.prune()
    return [...this.ops.values()].map((r) => r.summary)
  }

  /** Drops finished operations past their time, and the oldest beyond the cap (insertion order = start order). */
  private prune(): void {
    const now = Date.now()
    let finished = 0
    for (const r of this.ops.values()) if (r.finishedAt !== null) finished++
    for (const [opId, r] of this.ops) {
      if (r.finishedAt === null) continue
      if (finished > this.maxFinished || now - r.finishedAt > this.keepFinishedMs) {
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
    running.summary.state = outcome
    running.finishedAt = Date.now()
    const { opId, kind } = running.summary
    this.bus.emit(
      'op.finished',
      error === undefined ? { opId, kind, outcome } : { opId, kind, outcome, error: toEnvelope(error) },
    )
  }
}
