import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawTerminalControl, runZsdr, runZsdrInProcess, ZSDR_BIN } from '../../harness/cli.js'
import { makeTempDir } from '../../harness/temp.js'

/**
 * The real binary on a real pseudo-terminal (`script`) and through a pipe, listing backups whose
 * file names carry terminal escape sequences (a name on a dump folder is chosen by whoever can
 * write there).
 */
const home = makeTempDir('cli-terminal')
const env = { ZSDR_HOME: join(home.path, 'data'), LANG: 'en_US.UTF-8' }
const NAMES = ['zstack-backup-\x1b]0;evil\x07.gz', 'zstack-\x1b[2J备份.gz']

beforeAll(async () => {
  const dumps = join(home.path, 'dumps')
  mkdirSync(dumps)
  for (const n of NAMES) writeFileSync(join(dumps, n), gzipSync('-- MySQL dump\n'))
  const scan = await runZsdrInProcess(['db', 'scan', '--local', dumps, '--quiet'], env)
  expect(scan.code).toBe(0)
})
afterAll(() => home.remove())

function onTerminal(args: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      'script',
      ['-qec', `stty cols 120; ${process.execPath} ${ZSDR_BIN} ${args}`, '/dev/null'],
      { env: { ...process.env, ...env } },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    ),
  )
}

describe('zsdr on a terminal and through a pipe', () => {
  it('a terminal gets a table, with the hostile names escaped visibly', async () => {
    const out = await onTerminal('db list')
    expect(out).toMatch(/ID\s+NAME\s+KIND\s+CREATED/)
    expect(out).toContain('zstack-backup-\\x1B]0;evil\\x07.gz')
    expect(out).toContain('zstack-\\x1B[2J备份.gz')
    expect(rawTerminalControl(out.replace(/\r\n/g, '\n'))).toBeUndefined()
  }, 60_000)

  it('a pipe gets NDJSON, escaped by JSON, parsing back to the real names', async () => {
    const r = await runZsdr(['db', 'list'], { env })
    expect(r.code).toBe(0)
    expect(rawTerminalControl(r.stdout)).toBeUndefined()
    const names = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { name: string }).name)
    expect(names.sort()).toEqual([...NAMES].sort())
  }, 60_000)

  it('--version prints the version on a terminal and to a pipe', async () => {
    expect(await onTerminal('--version')).toMatch(/^\d+\.\d+\.\d+\r?\n$/)
    const r = await runZsdr(['--version'], { env })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  }, 60_000)
})
