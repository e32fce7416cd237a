import type { ErrorSpec } from './errors.js'

/**
 * Faults a test can switch on for the next matching request(s). `path` matches the request path
 * under the context root (e.g. `/v1/volume-backups` or `/v1/api-jobs/`): a string matches as a
 * substring, a RegExp as a test.
 */
export type Fault =
  /** Sync call: 503 + error at once. Async call: 202, then the job fails with this error. Poll: 503. */
  | { kind: 'error503'; error: ErrorSpec }
  /** Plain-text 500, as the REST endpoint's internal errors. */
  | { kind: 'error500' }
  /** Wait this long, then answer normally. */
  | { kind: 'slow'; delayMs: number }
  /**
   * Handle the request at once (an async call's job starts), but hold the reply back this long: a
   * slow network on the way back, during which a client may crash having sent a job it never heard
   * of. A test fault, not node behaviour.
   */
  | { kind: 'lateReply'; delayMs: number }
  /** Close the TCP connection without answering. */
  | { kind: 'drop' }
  /** A 200 whose JSON body is cut short. */
  | { kind: 'malformed' }
  /** Async call: 202, but the job is forgotten at once. Poll: 404 as if garbage-collected. */
  | { kind: 'expireJob' }

export interface FaultRule {
  method?: string
  path?: string | RegExp
  /** How many matching requests it applies to (default 1). */
  times?: number
  fault: Fault
}

export class FaultInjector {
  private rules: (FaultRule & { left: number })[] = []

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const entry = { ...rule, left: rule.times ?? 1 }
    this.rules.push(entry)
    return () => {
      this.rules = this.rules.filter((r) => r !== entry)
    }
  }

  clear(): void {
    this.rules = []
  }

  /** The fault for this request, consuming one use of the first matching rule. */
  take(method: string, path: string): Fault | null {
    const rule = this.rules.find(
      (r) =>
        (!r.method || r.method.toUpperCase() === method) &&
        (r.path === undefined || (typeof r.path === 'string' ? path.includes(r.path) : r.path.test(path))),
    )
    if (!rule) return null
    rule.left--
    if (rule.left <= 0) this.rules = this.rules.filter((r) => r !== rule)
    return rule.fault
  }
}
