import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ErrorEnvelope } from '../errors/app-error.js'
import { AppError, toEnvelope } from '../errors/app-error.js'

/**
 * One restore-log connection to a node, shared by every viewer (window, web host, CLI): the
 * node's log port takes one connection only (taillog behind `nc -l`), so the app holds that one
 * and fans the lines out. A new viewer gets the lines so far, then each new line. A lost
 * connection is retried while the restore may still be running: until its last line is seen
 * (`isLastLine`) and for at most `retryWindowMs` after the loss. The stream never ends by itself
 * (`tail -f`), so it ends when that last line arrives ("ended"), when retrying gives up
 * ("broken"), or when the last viewer leaves.
 */
export type LogEndReason = 'ended' | 'broken'

export interface LogFeedOptions {
  /** Opens the connection and yields its lines (`readLogStream`). */
  open(signal: AbortSignal): AsyncIterable<string>
  onLine(viewerId: string, line: string): void
  onEnd(viewerId: string, reason: LogEndReason, error?: ErrorEnvelope): void
  /** How long after a loss reconnecting is tried. Default 10 min. */
  retryWindowMs?: number
  /** Lines kept for viewers that join late; older ones are dropped and counted. Default 20,000. */
  maxLines?: number
}

/** zstack-ctl restore_mysql ends a good restore with "Recover data successfully!" (ZStack manual, restore_mysql example). */
export const RESTORE_SUCCEEDED = /Recover data successfully/i

/**
 * The last line of a restore. The premium code is not public: these are the closing lines of
 * `zstack-ctl restore_mysql` (guess), success or failure.
 */
export function isLastLine(line: string): boolean {
  return RESTORE_SUCCEEDED.test(line) || /^ERROR:|restore.*failed/i.test(line)
}

export class LogFeed {
  private readonly lines: string[] = []
  private dropped = 0
  private readonly viewers = new Set<string>()
  private readonly controller = new AbortController()
  private end: { reason: LogEndReason; error?: ErrorEnvelope } | null = null
  /** Settles when the connection is closed for good: the restore's end, a break, or the last viewer left. */
  readonly done: Promise<void>

  constructor(private readonly options: LogFeedOptions) {
    this.done = this.run()
  }

  /** Adds a viewer: its id, the lines so far (and how many older ones were dropped). */
  join(): { viewerId: string; lines: string[]; dropped: number } {
    const viewerId = randomBytes(8).toString('hex')
    const snapshot = { viewerId, lines: [...this.lines], dropped: this.dropped }
    if (this.end) {
      const { reason, error } = this.end
      // After the caller has the id: the end of a finished stream reaches the new viewer too.
      queueMicrotask(() => this.options.onEnd(viewerId, reason, error))
    } else this.viewers.add(viewerId)
    return snapshot
  }

  /** Removes a viewer; true when it was the last one (the connection is then closed). */
  leave(viewerId: string): boolean {
    this.viewers.delete(viewerId)
    if (this.viewers.size > 0) return false
    this.controller.abort()
    return true
  }

  /** The newest line read (the restore's last line once the feed has ended). */
  get lastLine(): string | undefined {
    return this.lines.at(-1)
  }

  get finished(): boolean {
    return this.end !== null
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal
    const window = this.options.retryWindowMs ?? 600_000
    let lostAt: number | null = null
    let delay = 500
    while (!signal.aborted) {
      let error: unknown = null
      try {
        for await (const line of this.options.open(signal)) {
          lostAt = null
          delay = 500
          this.add(line)
          if (isLastLine(line)) return this.finish('ended')
        }
        error = new AppError('zstack.log_stream_failed', {
          en: 'The management node closed the restore log before the restore reported its end.',
          zh: '恢复尚未报告结束，管理节点就关闭了恢复日志。',
        })
      } catch (e) {
        error = e
      }
      if (signal.aborted) return
      lostAt ??= Date.now()
      if (Date.now() - lostAt >= window) return this.finish('broken', toEnvelope(error))
      await sleep(delay, undefined, { signal }).catch(() => {})
      delay = Math.min(delay * 2, 5000)
    }
  }

  private add(line: string): void {
    this.lines.push(line)
    if (this.lines.length > (this.options.maxLines ?? 20_000)) {
      this.lines.shift()
      this.dropped++
    }
    for (const v of this.viewers) this.options.onLine(v, line)
  }

  private finish(reason: LogEndReason, error?: ErrorEnvelope): void {
    this.end = error ? { reason, error } : { reason }
    this.controller.abort()
    for (const v of this.viewers) this.options.onEnd(v, reason, error)
    this.viewers.clear()
  }
}
