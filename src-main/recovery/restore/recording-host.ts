import type { ExecOptions, RemoteHost, RemoteProcess, RunResult } from '../../ssh/remote-host.js'
import type { RunLog } from './run-log.js'

/** Wraps a host so every command lands in the current step of the run log (for the evidence report). */
export class RecordingHost implements RemoteHost {
  constructor(
    private readonly inner: RemoteHost,
    private readonly log: RunLog,
  ) {}

  get label(): string {
    return this.inner.label
  }

  get hostKeyFingerprint(): string | null {
    return this.inner.hostKeyFingerprint
  }

  exec(command: string, options?: ExecOptions): Promise<RemoteProcess> {
    this.log.command(command)
    return this.inner.exec(command, options)
  }

  run(command: string, options?: { stdin?: string | Buffer; signal?: AbortSignal }): Promise<RunResult> {
    this.log.command(command)
    return this.inner.run(command, options)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}
