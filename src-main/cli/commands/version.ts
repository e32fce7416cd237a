import type { Command } from 'commander'
import { appInfo } from '../../util/app-info.js'
import type { CliContext } from '../context.js'

export function registerVersion(program: Command, ctx: CliContext): void {
  program
    .command('version')
    .description('print the app version / 显示版本')
    .action((_opts, command: Command) => {
      const value = { name: appInfo.name, version: appInfo.version, node: process.versions.node }
      ctx.output(command, value, () => `${value.name} ${value.version} (node ${value.node})`)
    })
}
