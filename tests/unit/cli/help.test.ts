import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { CliContext } from '../../../src-main/cli/context.js'
import { buildProgram } from '../../../src-main/cli/program.js'
import { runZsdrInProcess } from '../../harness/cli.js'
import { makeTempDir } from '../../harness/temp.js'

/** Every runnable command's --help has examples and its exit codes; the global options show too. */
function leaves(c: Command, path: string[] = []): string[][] {
  const here = c.parent ? [...path, c.name()] : path
  return c.commands.length === 0 ? [here] : c.commands.flatMap((s) => leaves(s, here))
}

describe('zsdr --help', () => {
  const paths = leaves(buildProgram(new CliContext())).filter((p) => p[0] !== 'help')

  it('covers every command of the tree', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining(['query', 'api query', 'db restore', 'cache sync', 'completion', 'version']),
    )
  })

  it.each(paths.map((p) => [p.join(' '), p]))(
    '%s --help: examples, exit codes, output options',
    async (_, p) => {
      const home = makeTempDir('cli-help')
      try {
        const r = await runZsdrInProcess([...(p as string[]), '--help'], { ZSDR_HOME: home.path })
        expect(r.code).toBe(0)
        expect(r.stdout).toMatch(/\nExamples:\n {2}(\S+ ")?\$?\(?zsdr /)
        expect(r.stdout).toMatch(/\nExit codes: 0 .+, 2 .+\n/)
        expect(r.stdout.match(/Exit codes:/g)).toHaveLength(1)
        expect(r.stdout).toContain('--output <format>')
      } finally {
        home.remove()
      }
    },
  )
})
