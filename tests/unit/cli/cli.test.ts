import { afterAll, describe, expect, it } from 'vitest'
import { runZsdr } from '../../harness/cli.js'
import { makeTempDir } from '../../harness/temp.js'

const home = makeTempDir('cli')
const env = { ZSDR_HOME: home.path }
afterAll(() => home.remove())

describe('zsdr CLI', () => {
  it('--help lists the subcommands and the secrets rule', async () => {
    const r = await runZsdr(['--help'], { env })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('serve')
    expect(r.stdout).toContain('version')
    expect(r.stdout).toMatch(/never taken as arguments/)
  })

  it('version --json prints one JSON document', async () => {
    const r = await runZsdr(['version', '--json'], { env })
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as { name: string; version: string }
    expect(doc.name).toBe('ZStack DR Desk')
    expect(doc.version).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('a bad subcommand exits 2 with a one-line error', async () => {
    const r = await runZsdr(['frobnicate'], { env })
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/^zsdr: unknown command 'frobnicate'/)
  })

  it('a bad option value exits 2 with a one-line error', async () => {
    const r = await runZsdr(['serve', '--port', 'abc'], { env })
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('port')
  })
})
