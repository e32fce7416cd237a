import { execFile } from 'node:child_process'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZSDR_BIN } from '../../harness/cli.js'
import { type Simulator, startTestSimulator } from '../../harness/simulator.js'
import { makeTempDir } from '../../harness/temp.js'

/**
 * The README's command-line block, run as written by bash with `zsdr` on the PATH; only the
 * simulator's address is the real one instead of the README's 127.0.0.1:18080 (a fixed port could
 * be taken on a shared machine).
 */
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
const MARK = '<!-- tests/integration/cli/readme.test.ts runs this block'

function exampleBlock(): string[] {
  const after = README.slice(README.indexOf(MARK))
  const block = /```sh\n([\s\S]*?)```/.exec(after)?.[1] ?? ''
  return block.split('\n').filter((l) => l.trim() !== '')
}

let sim: Simulator
const tmp = makeTempDir('cli-readme')

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 'demo' })
  const shim = join(tmp.path, 'zsdr')
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${ZSDR_BIN}" "$@"\n`)
  chmodSync(shim, 0o755)
})
afterAll(async () => {
  await sim?.close()
  tmp.remove()
})

describe('README: Command line', () => {
  const lines = exampleBlock()

  it('has a block of examples that starts with its own data folder', () => {
    expect(README.indexOf(MARK)).toBeGreaterThan(0)
    expect(lines[0]).toBe('export ZSDR_HOME=$(mktemp -d)')
    expect(lines.filter((l) => l.startsWith('zsdr ')).length).toBeGreaterThanOrEqual(5)
  })

  // The simulator lives in this process: bash must run without blocking it (no spawnSync).
  it('every example runs as written against the simulator', async () => {
    const address = new URL(sim.baseUrl).host
    const script = [
      'set -e -o pipefail',
      ...lines.map(
        (l) =>
          `${l.replaceAll('127.0.0.1:18080', address)}\necho "--- exit $? after: ${l.replace(/["$`\\]/g, '')}"`,
      ),
    ].join('\n')
    const r = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        'bash',
        ['--norc', '-c', script],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            PATH: `${tmp.path}:${process.env.PATH}`,
            TMPDIR: tmp.path,
            ZSDR_PASSWORD: '',
          },
          timeout: 120_000,
        },
        (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    )
    expect(r.stderr, r.stdout + r.stderr).not.toMatch(/zsdr: /)
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(r.stdout.match(/^--- exit 0 after/gm)).toHaveLength(lines.length)
    expect(r.stdout).toMatch(/full sync complete/)
    expect(r.stdout).toMatch(/^NAME,UUID,SIZE$/m)
    expect(r.stdout).toMatch(/名称\s+UUID/)
    expect(r.stdout).toMatch(/^\{"uuid":/m)
  }, 150_000)
})
