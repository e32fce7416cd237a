import type { Command } from 'commander'
import type { CallName, CallReply, CallRequest } from '../api/contract/index.js'
import { AppError } from '../errors/app-error.js'
import { redactValue } from '../errors/redact.js'
import { createServices, type Services } from '../services.js'
import { defaultDataDir } from '../util/paths.js'

/** Exit codes: 0 ok, 1 the operation failed, 2 the command line was wrong. */
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2

/**
 * What every subcommand gets: the shared services (opened on first use), a typed way to call
 * the same router the window uses, and output that honours `--json`.
 */
export class CliContext {
  private services: Services | undefined
  /** A command that completed but did not fully succeed (e.g. a partial sync) sets this; `runCli` returns it. */
  exitCode = 0

  constructor(
    readonly stdout: NodeJS.WritableStream = process.stdout,
    readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  get dataDir(): string {
    return defaultDataDir()
  }

  getServices(): Services {
    this.services ??= createServices({ dataDir: this.dataDir })
    return this.services
  }

  /** Calls the router in-process, exactly as the window does; a failure is thrown as an AppError. */
  async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallReply<N>> {
    const envelope = await this.getServices().router.dispatch(name, request, { transport: 'cli' })
    if (envelope.ok) return envelope.value as CallReply<N>
    throw new AppError(envelope.error.code, envelope.error.message, envelope.error.details)
  }

  /** Prints `value` as JSON (one document) with `--json`, else the human form. */
  output(command: Command, value: unknown, human: () => string): void {
    const json = Boolean(command.optsWithGlobals().json)
    this.stdout.write(json ? `${JSON.stringify(redactValue(value), null, 2)}\n` : `${human()}\n`)
  }

  async close(): Promise<void> {
    await this.services?.close()
  }
}
