import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CacheQueryAnswer, CacheSyncReport } from '../../../src-main/api/contract/index.js'
import { runZsdr, runZsdrInProcess } from '../../harness/cli.js'
import { type Simulator, startTestSimulator } from '../../harness/simulator.js'
import { makeTempDir } from '../../harness/temp.js'

/** `zsdr cache sync` and `zsdr query` against the simulator, then with it stopped. */
let sim: Simulator
const home = makeTempDir('cli-cache')

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 'demo' })
})
afterAll(async () => {
  await sim?.close()
  home.remove()
})

const zsdr = (args: string[], password = 'password') =>
  runZsdrInProcess(args, { ZSDR_HOME: home.path, ZSDR_PASSWORD: password })

describe('zsdr cache / zsdr query', () => {
  it('cache sync <address> --password-stdin (the real binary) prints the report', async () => {
    const r = await runZsdr(['cache', 'sync', sim.baseUrl, '--password-stdin', '--json', '--quiet'], {
      env: { ZSDR_HOME: home.path, ZSDR_PASSWORD: '' },
      stdin: 'password\n',
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as CacheSyncReport
    expect(report).toMatchObject({ mode: 'full', outcome: 'complete' })
    expect(report.resources.find((x) => x.resource === 'volumeBackups')?.count).toBe(5)
    expect(r.stdout).not.toContain('password')
  }, 60_000)

  it('a partial sync exits 1 (the command own code reaches the shell); --help documents the codes', async () => {
    const stop = sim.faults.add({
      method: 'GET',
      path: '/v1/database-backups',
      times: 1000,
      fault: { kind: 'error503', error: { code: 'SYS.1000' } },
    })
    const r = await zsdr(['cache', 'sync', sim.baseUrl, '--full'])
    stop()
    expect(r.stdout).toMatch(/full sync partial/)
    expect(r.code).toBe(1)
    const help = await zsdr(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*0[\s\S]*1[\s\S]*partial[\s\S]*2/)
  })

  it('query answers from the node, then from the cache once the node is down, and says so', async () => {
    const args = ['query', 'volume-backups', 'name~=vm-db%', '-c', sim.baseUrl, '--sort', '+name', '--json']
    const online = await zsdr(args)
    expect(online.stderr).toBe('')
    const a = JSON.parse(online.stdout) as CacheQueryAnswer
    expect(a.source).toBe('node')
    expect(a.inventories).toHaveLength(3)
    const offline = await zsdr([...args.slice(0, -1), '--offline'])
    // Piped: NDJSON rows on stdout, where they came from on stderr.
    expect(offline.stderr).toMatch(/From the offline cache \(--offline\), synced (now|\d+ seconds? ago)/)
    expect(
      offline.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).name),
    ).toHaveLength(3)
    await sim.close()
    const down = await zsdr(args)
    expect(down.code).toBe(0)
    const b = JSON.parse(down.stdout) as CacheQueryAnswer
    expect(b.source).toBe('cache')
    expect(b.inventories).toEqual(a.inventories)
    const status = await zsdr(['cache', 'status', sim.baseUrl])
    expect(status.stderr).toMatch(/synced (now|\d+ seconds? ago)/)
    expect(status.stdout).toMatch(/"resource":"volumeBackups","count":5/)
  })

  it('bad input: unknown resource (usage), unknown connection, invalid condition', async () => {
    expect((await zsdr(['query', 'widgets', '-c', 'x'])).code).toBe(2)
    const unknown = await zsdr(['query', 'volumes', '-c', 'nowhere', '--offline'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/no saved connection "nowhere"/)
    const bad = await zsdr(['query', 'volumes', 'size>>1', '-c', sim.baseUrl, '--offline'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/starts with ">"/)
    const field = await zsdr(['query', 'volumes', 'colour=red', '-c', sim.baseUrl, '--offline'])
    expect(field.stderr).toMatch(/not a queryable field of volumes/)
  })
})
