import type { Command } from 'commander'
import type { CallName, CallReply, CallRequest } from '../api/contract/index.js'
import { AppError } from '../errors/app-error.js'
import type { Services } from '../services.js'
import { defaultDataDir } from '../util/paths.js'
import { printValue } from './output/index.js'
import { safeJsonText } from './output/terminal-safe.js'
import { TerminalWriter } from './output/writer.js'

/** Exit codes: 0 ok, 1 the operation failed, 2 the command line was wrong. */
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2

/**
 * What every subcommand gets: the shared services (opened on first use), a typed way to call
 * the same router the window uses, and stdout/stderr that print remote text harmlessly.
 */
export class CliContext {
  private services: Promise<Services> | undefined
  /** A command that completed but did not fully succeed (e.g. a partial sync) sets this; `runCli` returns it. */
  exitCode = 0
  readonly stdout: TerminalWriter
  readonly stderr: TerminalWriter

  constructor(
    stdout: NodeJS.WritableStream = process.stdout,
    stderr: NodeJS.WritableStream = process.stderr,
  ) {
    this.stdout = new TerminalWriter(stdout)
    this.stderr = new TerminalWriter(stderr)
  }

  get dataDir(): string {
    return defaultDataDir()
  }

  /**
   * The services (database, SSH, keychain, logger...) are imported on first use, not at start-up:
   * they are most of the CLI's code and dependencies, and `--help` or a usage error needs none.
   */
  getServices(): Promise<Services> {
    this.services ??= this.openServices()
    return this.services
  }

  private async openServices(): Promise<Services> {
    const [{ createServices }, { createLogger }] = await Promise.all([
      import('../services.js'),
      import('../log/logger.js'),
    ])
    // Log lines go to stderr like everything else: made safe for the terminal, still JSON.
    const log = createLogger({
      destination: { write: (line: string) => this.stderr.write(safeJsonText(line)) },
    })
    return createServices({ dataDir: this.dataDir, log })
  }

  /** Calls the router in-process, exactly as the window does; a failure is thrown as an AppError. */
  async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallReply<N>> {
    const { router } = await this.getServices()
    const envelope = await router.dispatch(name, request, { transport: 'cli' })
    if (envelope.ok) return envelope.value as CallReply<N>
    throw new AppError(envelope.error.code, envelope.error.message, envelope.error.details)
  }

  /** Prints one result: JSON with `--json`/`--output json`, else the human form (see output/). */
  output(command: Command, value: unknown, human: () => string): void {
    printValue(command, this, value, human)
  }

  async close(): Promise<void> {
    // Services that failed to open have nothing to close (their error was already reported).
    const services = await this.services?.catch(() => undefined)
    await services?.close()
  }
}
