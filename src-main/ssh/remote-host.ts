import type { Readable, Writable } from 'node:stream'

/** A command running on a host: over SSH for real hosts, as a child process for the laptop itself. */
export interface RemoteProcess {
  readonly stdin: Writable
  readonly stdout: Readable
  readonly stderr: Readable
  /** Settles when the command has ended and its output streams are closed. */
  readonly exit: Promise<{ code: number | null; signal: string | null }>
  kill(): void
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface ExecOptions {
  signal?: AbortSignal
  /**
   * A command the caller can do without (one more load session): a channel the host refuses (sshd
   * MaxSessions) is an answer at once, not asked for again as a channel just closed may need.
   */
  extra?: boolean
}

/**
 * What recovery code needs from a host: run commands with streamed I/O. The SSH module gives one
 * per connection; `LocalHost` gives one for the laptop. Recovery code never knows which.
 */
export interface RemoteHost {
  /** For logs and reports: `user@host:port`, never a password. */
  readonly label: string
  /** SHA256 fingerprint of the verified host key (`ssh-keygen -lf` form), null for the laptop. */
  readonly hostKeyFingerprint: string | null
  exec(command: string, options?: ExecOptions): Promise<RemoteProcess>
  /** Runs to completion and collects output (capped), optionally feeding stdin. */
  run(command: string, options?: { stdin?: string | Buffer; signal?: AbortSignal }): Promise<RunResult>
  close(): Promise<void>
}
