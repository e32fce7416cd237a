import { spawn } from 'node:child_process'
import type { ExecOptions, RemoteHost, RemoteProcess, RunResult } from './remote-host.js'
import { collectRun } from './run-collect.js'

/** The laptop itself as a `RemoteHost` (local backup files, tests of recovery logic). */
export class LocalHost implements RemoteHost {
  readonly label = 'localhost'
  readonly hostKeyFingerprint = null

  async exec(command: string, options: ExecOptions = {}): Promise<RemoteProcess> {
    const child = spawn('bash', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal })
    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal }))
      child.on('error', () => resolve({ code: null, signal: 'error' }))
    })
    return { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exit, kill: () => child.kill() }
  }

  async run(
    command: string,
    options: { stdin?: string | Buffer; signal?: AbortSignal } = {},
  ): Promise<RunResult> {
    return collectRun(await this.exec(command, options), options.stdin, this.label)
  }

  async close(): Promise<void> {}
}
