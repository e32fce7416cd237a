import { Argument, type Command } from 'commander'
import { type CompletionShell, completionScript, completionShells } from '../completion.js'
import type { CliContext } from '../context.js'

/** `zsdr completion bash|zsh|fish`: prints a completion script for the shell. */
export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description(
      'print a shell completion script (commands, options, resources, saved connections) / 输出补全脚本',
    )
    .addArgument(new Argument('<shell>', 'the shell').choices(completionShells))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  eval "$(zsdr completion bash)"                # in ~/.bashrc\n' +
        '  zsdr completion zsh > ~/.zsh/completions/_zsdr  # a folder on your $fpath\n' +
        '  zsdr completion fish | source                 # in ~/.config/fish/config.fish\n' +
        'Saved connection names are those known when the script is made: run it again after adding one.\n' +
        'Exit codes: 0 printed, 2 unknown shell.',
    )
    .action(async (shell: CompletionShell) => {
      const connections = await ctx.call('zstack.connections.list', {}).catch(() => [])
      ctx.stdout.write(
        completionScript(
          program,
          shell,
          connections.map((c) => c.name),
        ),
      )
    })
}
