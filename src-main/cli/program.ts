import { Command, CommanderError } from 'commander'
import { isAppError } from '../errors/app-error.js'
import { redact } from '../errors/redact.js'
import { appInfo } from '../util/app-info.js'
import { registerApi } from './commands/api.js'
import { registerCache } from './commands/cache.js'
import { registerCompletion } from './commands/completion.js'
import { registerDb } from './commands/db.js'
import { registerDbDrill } from './commands/db-drill.js'
import { registerDbRestore } from './commands/db-restore.js'
import { registerQuery } from './commands/query.js'
import { registerReport } from './commands/report.js'
import { registerSchedule } from './commands/schedule.js'
import { registerServe } from './commands/serve.js'
import { registerVersion } from './commands/version.js'
import { CliContext, EXIT_FAILED, EXIT_USAGE } from './context.js'
import { finishHelp } from './help.js'
import { addOutputOptions } from './output/index.js'
import { pickLang } from './output/lang.js'
import { safeText } from './output/terminal-safe.js'

/** Every subcommand module registers itself here; one line each. */
const registrations = [
  registerVersion,
  registerServe,
  registerApi,
  registerDb,
  registerDbRestore,
  registerDbDrill,
  registerCache,
  registerQuery,
  registerCompletion,
  registerReport,
  registerSchedule,
]

export function buildProgram(ctx: CliContext): Command {
  const program = addOutputOptions(new Command('zsdr'))
    .description(
      'ZStack DR Desk command line: the same API as the desktop app.\n' +
        'Secrets are never taken as arguments: use stdin, the keychain, or the environment variables named in each command.',
    )
    .version(appInfo.version, '-V, --version', 'print the version / 显示版本')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      // Commander's own usage errors are shortened to one line by `runCli`.
      writeErr: () => {},
    })
  for (const register of registrations) register(program, ctx)
  finishHelp(program)
  return program
}

/** Runs the CLI and returns the exit code; every error becomes one line on stderr. */
export async function runCli(argv: string[], ctx = new CliContext()): Promise<number> {
  const program = buildProgram(ctx)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return ctx.exitCode
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0 // --help, --version
      ctx.stderr.write(`zsdr: ${e.message.replace(/^error: /, '').split('\n')[0]}\n`)
      return EXIT_USAGE
    }
    const lang = pickLang(program.opts<{ lang?: string }>().lang)
    const line = isAppError(e) ? e.text[lang] : 'internal error (see the log)'
    ctx.stderr.write(`zsdr: ${safeText(redact(line))}\n`)
    return EXIT_FAILED
  } finally {
    await ctx.close()
  }
}
