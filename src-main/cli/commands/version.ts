import type { Command } from 'commander'
import { appInfo } from '../../util/app-info.js'
import type { CliContext } from '../context.js'
import { helpExamples } from '../help.js'

export function registerVersion(program: Command, ctx: CliContext): void {
  helpExamples(program.command('version'), ['zsdr version', 'zsdr --version', 'zsdr version --json'])
    .description('print the app version / 显示版本')
    .action((_opts, command: Command) => {
      const value = { name: appInfo.name, version: appInfo.version, node: process.versions.node }
      ctx.output(command, value, () => `${value.name} ${value.version} (node ${value.node})`)
    })
}
