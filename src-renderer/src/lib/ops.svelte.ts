import type {
  ErrorEnvelope,
  OperationFinished,
  OperationProgress,
  OperationSummary,
} from '../../../src-main/api/contract/index.js'
import { apiLabel, kindLabel } from '../i18n/index.svelte.js'
import { call, on } from './api.js'
import { toEnvelope } from './errors.js'
import { finishedFromListing, mergeListed } from './op-records.js'

/** What the renderer knows about one long-running operation (the backend keeps its history across restarts). */
export type TrackedOp = OperationSummary

/**
 * Every operation of this app session, fed by `ops.list` (so jobs started before a reload or by
 * another window are re-attached) and kept current by `op.progress` / `op.finished`.
 */
class OpsStore {
  items = $state<Record<string, TrackedOp>>({})
  loadError = $state<ErrorEnvelope | null>(null)
  private waiters = new Map<string, ((f: OperationFinished) => void)[]>()
  /** Outcomes that arrived (over the event stream) before the call that started them returned. */
  private early = new Map<string, OperationFinished>()

  constructor() {
    on('op.progress', (p) => this.progress(p))
    on('op.finished', (f) => this.finished(f))
    // An event stream that reconnects can miss an `op.finished`: while something runs, compare with the backend.
    setInterval(() => {
      if (Object.values(this.items).some((o) => o.state === 'running')) void this.reconcile()
    }, 3000)
  }

  private async reconcile(): Promise<void> {
    try {
      this.apply(await call('ops.list', {}))
    } catch {
      // The next tick tries again; a failing backend shows up on the screens themselves.
    }
  }

  async refresh(): Promise<void> {
    try {
      this.apply(await call('ops.list', {}))
      this.loadError = null
    } catch (e) {
      this.loadError = toEnvelope(e)
    }
  }

  /** Takes in a listing; whoever waits for an operation it shows ended learns how (its `op.finished` may never come). */
  private apply(list: OperationSummary[]): void {
    for (const s of list) {
      const op = mergeListed(this.items[s.opId], s)
      if (op !== this.items[s.opId]) this.items[s.opId] = op
      const ended = finishedFromListing(op)
      if (ended) this.settle(ended)
    }
  }

  /** Registers an operation the renderer just started, before its first event arrives. */
  track(
    opId: string,
    kind: string,
    label: string,
    subject: string | null = null,
    connectionId: string | null = null,
  ): void {
    if (this.items[opId]) return
    const early = this.early.get(opId)
    this.early.delete(opId)
    this.items[opId] = {
      opId,
      kind,
      label,
      subject,
      connectionId,
      startedAt: new Date().toISOString(),
      state: 'running',
      lastProgress: null,
      finishedAt: null,
      error: null,
    }
    if (early) this.finished(early)
  }

  /** Resolves when the operation ends (at once if it already has). */
  finishedOf(opId: string): Promise<OperationFinished> {
    const op = this.items[opId]
    if (op && op.state !== 'running') {
      return Promise.resolve({
        opId,
        kind: op.kind,
        outcome: op.state,
        ...(op.error ? { error: op.error } : {}),
      })
    }
    return new Promise((resolve) => {
      this.waiters.set(opId, [...(this.waiters.get(opId) ?? []), resolve])
    })
  }

  async cancel(opId: string): Promise<boolean> {
    const { cancelled } = await call('ops.cancel', { opId })
    return cancelled
  }

  get sorted(): TrackedOp[] {
    return Object.values(this.items).sort((a, b) => b.startedAt.localeCompare(a.startedAt))
  }

  private progress(p: OperationProgress): void {
    const op = this.items[p.opId]
    if (op) op.lastProgress = p
    else void this.refresh()
  }

  private finished(f: OperationFinished): void {
    const op = this.items[f.opId]
    if (!op) this.early.set(f.opId, f)
    if (op) {
      op.state = f.outcome
      op.finishedAt = new Date().toISOString()
      op.error = f.error ?? null
    }
    this.settle(f)
  }

  private settle(f: OperationFinished): void {
    for (const resolve of this.waiters.get(f.opId) ?? []) resolve(f)
    this.waiters.delete(f.opId)
  }
}

export const ops = new OpsStore()

/**
 * An operation's title in the current language, never frozen in the language it started in: DR
 * calls by their API name (`apiLabel`), other kinds by `opkind.<kind>`, anything else as the backend
 * labelled it. The subject (a backup's name) is data and stays as it is.
 */
export function opTitle(op: TrackedOp): string {
  const what = op.kind === 'zstack.dr' ? apiLabel(op.label) : (kindLabel(op.kind) ?? op.label)
  return op.subject ? `${what} · ${op.subject}` : what
}
