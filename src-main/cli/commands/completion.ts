import { Argument, type Command } from 'commander'
import { type CompletionShell, completionScript, completionShells } from '../completion.js'
import type { CliContext } from '../context.js'
import { helpExamples } from '../help.js'

/** `zsdr completion bash|zsh|fish`: prints a completion script for the shell. */
export function registerCompletion(program: Command, ctx: CliContext): void {
  helpExamples(
    program.command('completion'),
    [
      'eval "$(zsdr completion bash)"                   # in ~/.bashrc',
      'zsdr completion zsh > ~/.zsh/completions/_zsdr   # a folder on your $fpath',
      'zsdr completion fish | source                    # in ~/.config/fish/config.fish',
    ],
    '0 printed, 2 unknown shell.',
  )
    .description(
      'print a shell completion script (commands, options, resources, saved connections) / 输出补全脚本',
    )
    .addArgument(new Argument('<shell>', 'the shell').choices(completionShells))
    .addHelpText(
      'after',
      'Saved connection names are those known when the script is made: make it again after adding one.',
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
