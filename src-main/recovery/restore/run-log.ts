import type { RestoreLogEntry, RestoreStepId } from '../../api/contract/restore.js'
import { redact, redactValue } from '../../errors/redact.js'

export type LogSink = (entry: RestoreLogEntry) => void

export interface StepRecord {
  id: RestoreStepId
  startedAt: string
  finishedAt: string | null
  ms: number | null
  status: 'running' | 'ok' | 'failed' | 'skipped'
  /** Host commands as run (they never hold a secret: the password lives in an option file). */
  commands: string[]
  detail: Record<string, unknown>
}

/**
 * The live log of one run: every entry goes to the sinks at once (event bus for the window, stderr for
 * the CLI) and is kept for the evidence report together with per-step timings and commands.
 * Every text passes `redact` on the way in, so nothing later can leak a registered secret.
 */
export class RunLog {
  readonly entries: RestoreLogEntry[] = []
  readonly steps: StepRecord[] = []
  private seq = 0

  constructor(
    readonly opId: string,
    private readonly sinks: LogSink[],
  ) {}

  get current(): StepRecord | undefined {
    return this.steps.at(-1)
  }

  begin(id: RestoreStepId, message: string): StepRecord {
    const step: StepRecord = {
      id,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      ms: null,
      status: 'running',
      commands: [],
      detail: {},
    }
    this.steps.push(step)
    this.info(message)
    return step
  }

  end(status: 'ok' | 'failed' | 'skipped', detail: Record<string, unknown> = {}): void {
    const step = this.current
    if (step?.status !== 'running') return
    step.status = status
    step.finishedAt = new Date().toISOString()
    step.ms = Date.parse(step.finishedAt) - Date.parse(step.startedAt)
    Object.assign(step.detail, redactValue(detail))
    // The engineer sees in the live log, and later in the report, how long each step took.
    this.info(`Step ${step.id}: ${status} after ${(step.ms / 1000).toFixed(2)} s.`)
  }

  command(command: string): void {
    this.current?.commands.push(redact(command))
  }

  info(message: string, extra: Partial<RestoreLogEntry> = {}): void {
    this.emit('info', message, extra)
  }

  warn(message: string): void {
    this.emit('warn', message)
  }

  error(message: string): void {
    this.emit('error', message)
  }

  emit(level: RestoreLogEntry['level'], message: string, extra: Partial<RestoreLogEntry> = {}): void {
    const entry: RestoreLogEntry = redactValue({
      opId: this.opId,
      seq: ++this.seq,
      at: new Date().toISOString(),
      level,
      step: this.current?.id ?? 'preflight',
      message,
      ...extra,
    })
    this.entries.push(entry)
    for (const sink of this.sinks) sink(entry)
  }
}
