import type { Command } from 'commander'

/**
 * The end of each command's --help: examples to copy, and what its exit codes mean. A command
 * that says nothing special about exit codes gets the common meaning (added by `finishHelp`).
 */
const explained = new WeakSet<Command>()

export function helpExamples(command: Command, examples: readonly string[], exitCodes?: string): Command {
  if (exitCodes) explained.add(command)
  return command.addHelpText(
    'after',
    `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}${exitCodes ? `\n\nExit codes: ${exitCodes}` : ''}`,
  )
}

const COMMON_EXIT_CODES =
  '0 done, 1 it failed or did only part of the work, e.g. a partial sync (the reason is on stderr), 2 the command line was wrong.'

/** Every runnable command documents its exit codes; the program's help says how output works. */
export function finishHelp(program: Command): void {
  const visit = (c: Command) => {
    if (c.commands.length === 0 && !explained.has(c))
      c.addHelpText('after', `\nExit codes: ${COMMON_EXIT_CODES}`)
    for (const sub of c.commands) visit(sub)
  }
  for (const c of program.commands) visit(c)
  program.addHelpText(
    'after',
    '\nOutput: lists print a table on a terminal and NDJSON (one JSON object per line) when piped;\n' +
      '--output json|ndjson|csv|table (or --json) chooses; notes about the answer go to stderr.\n' +
      `Exit codes: ${COMMON_EXIT_CODES}\n` +
      'Shell completion: zsdr completion bash|zsh|fish --help',
  )
}
