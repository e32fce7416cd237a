import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runZsdr, runZsdrInProcess } from '../../harness/cli.js'
import { type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'
import { makeTempDir } from '../../harness/temp.js'

let sim: Simulator
const home = makeTempDir('cli-api')
const env = { ZSDR_HOME: home.path, ZSDR_PASSWORD: '' }

beforeAll(async () => {
  sim = await startTestSimulator()
})

const zsdr = (args: string[], password = 'password') =>
  runZsdrInProcess(args, { ZSDR_HOME: home.path, ZSDR_PASSWORD: password })
afterAll(async () => {
  await sim.close()
  home.remove()
})

describe('zsdr api against the simulator', () => {
  it('login with --password-stdin prints the connection as JSON', async () => {
    const r = await runZsdr(['api', 'login', '-e', sim.baseUrl, '--password-stdin', '--json'], {
      env,
      stdin: 'password\n',
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as { endpoint: string; sessionValid: boolean; accountName: string }
    expect(doc).toMatchObject({
      endpoint: sim.baseUrl.replace('127.0.0.1', '127.0.0.1'),
      accountName: 'admin',
      sessionValid: true,
    })
    expect(r.stdout).not.toContain('password')
  })

  it('login takes the endpoint as an argument, exactly as the README writes it', async () => {
    const r = await runZsdr(['api', 'login', sim.baseUrl, '--account', 'admin', '--password-stdin'], {
      env,
      stdin: 'password\n',
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('session valid: true')
    const none = await zsdr(['api', 'login'], 'password')
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/no management node/)
    const both = await zsdr(['api', 'login', sim.baseUrl, '-e', 'http://127.0.0.2:1'], 'password')
    expect(both.code).toBe(2)
  })

  it('a wrong password (from ZSDR_PASSWORD) exits 1 with one line', async () => {
    const r = await zsdr(['api', 'login', '-e', sim.baseUrl], 'wrong')
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/refused the account name or password/)
  })

  it('no password at all is a usage error (exit 2)', async () => {
    const r = await zsdr(['api', 'login', '-e', sim.baseUrl], '')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no password/)
  })

  it('query with conditions, sort and --json', async () => {
    const r = await zsdr([
      'api',
      'query',
      'vmInstances',
      '-e',
      sim.baseUrl,
      '-q',
      'name~=vm-%',
      '-q',
      'state=Running',
      '--sort',
      '-name',
      '--fields',
      'uuid,name',
      '--json',
    ])
    expect(r.stderr).toBe('')
    const doc = JSON.parse(r.stdout) as { inventories: { name: string }[]; total: number }
    expect(doc.inventories.map((v) => v.name)).toEqual(['vm-web', 'vm-app'])
    expect(doc.total).toBe(2)
  })

  it('a malformed condition is rejected before any request, pointing at the problem', async () => {
    const before = sim.requests.length
    // A node would take `!=` as the operator (the first it finds): refused, not sent.
    const r = await zsdr(['api', 'query', 'volumes', '-e', sim.baseUrl, '-q', 'name=a!=b'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/server reads "!=" as the operator/)
    expect(r.stderr).toMatch(/character 7/)
    // Login and logout only: the query itself never went out.
    expect(sim.requests.slice(before).some((q) => q.path.endsWith('/v1/volumes'))).toBe(false)
  })

  it('call runs a DR API and waits for its result; jobs lists it', async () => {
    const params = JSON.stringify({ name: 'from-cli', backupStorageUuid: seeded(sim).bsLocal.uuid })
    const r = await runZsdr(
      ['api', 'call', 'CreateDatabaseBackup', '-e', sim.baseUrl, '--params', params, '--json'],
      {
        env: { ...env, ZSDR_PASSWORD: 'password' },
      },
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as { inventory: { name: string } }).inventory.name).toBe('from-cli')
    expect(sim.state.databaseBackups.rows.some((b) => b.name === 'from-cli')).toBe(true)
    const jobs = await zsdr(['api', 'jobs', '--json'])
    const list = JSON.parse(jobs.stdout) as { api: string; state: string }[]
    expect(list[0]).toMatchObject({ api: 'CreateDatabaseBackup', state: 'succeeded' })
  })

  it('refuses secrets in --params and bad API names', async () => {
    const secret = await zsdr([
      'api',
      'call',
      'RecoverDatabaseFromBackup',
      '-e',
      sim.baseUrl,
      '--params',
      '{"mysqlRootPassword":"x"}',
    ])
    expect(secret.code).toBe(2)
    expect(secret.stderr).toMatch(/holds a secret/)
    const unknown = await zsdr(['api', 'call', 'Nope', '-e', sim.baseUrl])
    expect(unknown.code).toBe(2)
  })

  it('log follows the restore log (LF-only, one connection) to its end', async () => {
    const r = await sim.logStreams.start(['Checking the backup file x ...', 'Recover data successfully'])
    const log = await zsdr(['api', 'log', String(r), '-e', sim.baseUrl])
    expect(log.code).toBe(0)
    expect(log.stdout.split('\n').slice(0, 2)).toEqual([
      'Checking the backup file x ...',
      'Recover data successfully',
    ])
  })
})
