import stringWidth from 'string-width'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawTerminalControl, runZsdrInProcess } from '../../harness/cli.js'
import { type Simulator, startTestSimulator } from '../../harness/simulator.js'
import { makeTempDir } from '../../harness/temp.js'

/**
 * The output layer through real commands against the simulator: every format, piped vs terminal,
 * the notes on stderr, the messages that say why and how, and remote text printed harmlessly.
 */
let sim: Simulator
const home = makeTempDir('cli-output')
const TTY = { tty: { columns: 100 } }

const zsdr = (args: string[], options: { password?: string; tty?: { columns: number } } = {}) =>
  runZsdrInProcess(
    args,
    { ZSDR_HOME: home.path, ZSDR_PASSWORD: options.password ?? 'password', LANG: 'en_US.UTF-8' },
    options.tty ? { tty: options.tty } : {},
  )
const query = (...more: string[]) => [
  'query',
  'volume-backups',
  '-c',
  sim.baseUrl,
  '--sort',
  '+name',
  ...more,
]

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 'demo' })
  const sync = await zsdr(['cache', 'sync', sim.baseUrl, '--quiet'])
  expect(sync.code).toBe(0)
})
afterAll(async () => {
  await sim?.close()
  home.remove()
})

const lines = (text: string) => text.trimEnd().split('\n')

describe('zsdr output formats', () => {
  it('on a terminal: an aligned table that fits the width, human sizes, stores by name', async () => {
    const r = await zsdr(query(), TTY)
    expect(r.code).toBe(0)
    const [header, ...rows] = lines(r.stdout)
    expect(header).toMatch(/^NAME\s+UUID\s+STATUS\s+SIZE\s+VOLUME\s+STORES\s+CREATED$/)
    expect(rows).toHaveLength(5)
    for (const l of lines(r.stdout)) expect(stringWidth(l)).toBeLessThanOrEqual(100)
    expect(r.stdout).toMatch(/\d+(\.\d)? GiB/)
    expect(r.stdout).toContain('bs-local')
    expect(r.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d/)
    expect(r.stdout).not.toContain('{')
  })

  it('piped: NDJSON, one parseable record per line, nothing else on stdout', async () => {
    const r = await zsdr(query())
    const records = lines(r.stdout).map((l) => JSON.parse(l) as { name: string; size: number })
    expect(records.map((x) => x.name)).toEqual([...records.map((x) => x.name)].sort())
    expect(records).toHaveLength(5)
    expect(typeof records[0]!.size).toBe('number')
  })

  it('--json / --output json: one document with the answer and where it came from', async () => {
    for (const flag of [['--json'], ['--output', 'json'], ['-o', 'json']]) {
      const r = await zsdr(query(...flag), TTY)
      const doc = JSON.parse(r.stdout) as { source: string; inventories: unknown[] }
      expect(doc.source).toBe('node')
      expect(doc.inventories).toHaveLength(5)
    }
  })

  it('--output csv: every column with raw values; --no-headers drops the header line', async () => {
    const r = await zsdr(query('-o', 'csv'))
    const [header, first] = lines(r.stdout)
    expect(header).toBe(
      'NAME,UUID,STATUS,SIZE,VOLUME,STORES,CREATED,STATE,TYPE,GROUP,LAST CHANGE,DESCRIPTION',
    )
    expect(lines(r.stdout)).toHaveLength(6)
    expect(first).toMatch(/^vm-db-backup-data,[0-9a-f]{32},\w+,\d+,/)
    const bare = await zsdr(query('-o', 'csv', '--no-headers'))
    expect(lines(bare.stdout)).toHaveLength(5)
    expect(bare.stdout).not.toContain('NAME')
  })

  it('--wide shows every column; --fields picks columns; --no-headers on a table', async () => {
    const wide = await zsdr(query('--wide'), TTY)
    expect(lines(wide.stdout)[0]).toMatch(/GROUP\s+LAST CHANGE\s+DESCRIPTION$/)
    // The volume by name (from the backup's metadata); CSV keeps its UUID.
    expect(wide.stdout).toContain('ROOT-for-vm-db')
    const some = await zsdr(query('--fields', 'name,size'), TTY)
    expect(lines(some.stdout)[0]).toMatch(/^NAME\s+SIZE$/)
    const bare = await zsdr(query('--no-headers'), TTY)
    expect(lines(bare.stdout)).toHaveLength(5)
    expect(bare.stdout).not.toMatch(/^NAME/)
  })

  it('--lang zh (or a Chinese locale): Chinese headers, aligned by display width', async () => {
    const r = await zsdr(query('--lang', 'zh'), { tty: { columns: 200 } })
    const [header, row] = lines(r.stdout)
    expect(header).toMatch(/^名称\s+UUID\s+状态\s+大小/)
    expect(stringWidth(header!.slice(0, header!.indexOf('UUID')))).toBe(row!.search(/[0-9a-f]{32}/))
  })

  it('an empty result: nothing on stdout, "No matching records." on stderr', async () => {
    const r = await zsdr(query('name=nothing-like-this'), TTY)
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('No matching records.\n')
    expect((await zsdr(query('name=nothing-like-this', '--quiet'))).stderr).toBe('')
  })

  it('api query, api jobs, db list and cache status print tables too', async () => {
    const api = await zsdr(['api', 'query', 'vmInstances', '-e', sim.baseUrl, '--sort', '+name'], TTY)
    expect(lines(api.stdout)[0]).toMatch(/^NAME\s+UUID\s+STATE\s+CPUS\s+MEMORY\s+CREATED$/)
    expect(
      lines(api.stdout)
        .slice(1)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['vm-app', 'vm-db', 'vm-web'])
    const jobs = await zsdr(['api', 'jobs'], TTY)
    expect(jobs.stderr).toBe('No jobs started from this app yet.\n')
    const list = await zsdr(['db', 'list'], TTY)
    expect(list.stderr).toMatch(/No backups in the catalog/)
    const status = await zsdr(['cache', 'status', sim.baseUrl], TTY)
    expect(lines(status.stdout)[0]).toMatch(/^RESOURCE\s+ROWS\s+SYNCED\s+ERROR$/)
    expect(status.stdout).toMatch(/volumeBackups\s+5 /)
    expect(status.stderr).toMatch(/synced (now|\d+ seconds? ago); last full sync \d{4}-/)
  })

  it('a bad --output is a usage error (exit 2)', async () => {
    const r = await zsdr(query('-o', 'yaml'))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Allowed choices are table, json, ndjson, csv/)
  })
})

describe('remote text is printed harmlessly', () => {
  const EVIL = ['\x1b]0;evil\x07', '\x1b[2J', '\u009b2J']

  it('a backup name with escape sequences prints visibly escaped in every format', async () => {
    const row = sim.state.volumeBackups.rows.find((b) => b.name === 'web-data-daily')!
    row.name = `web${EVIL.join('')}daily`
    try {
      for (const format of ['table', 'ndjson', 'json', 'csv']) {
        const r = await zsdr(query('-o', format, '--wide', 'name~=web%'), TTY)
        expect(r.code).toBe(0)
        expect(rawTerminalControl(r.stdout)).toBeUndefined()
        expect(rawTerminalControl(r.stderr)).toBeUndefined()
        if (format === 'table' || format === 'csv') expect(r.stdout).toContain('web\\x1B]0;evil\\x07\\x1B[2J')
        if (format === 'ndjson') expect(JSON.parse(lines(r.stdout)[0]!).name).toBe(row.name)
      }
    } finally {
      row.name = 'web-data-daily'
    }
  })
})

describe('messages that say why and how', () => {
  it('no password: the node was not asked, how to give one, and the age of the cache that answered', async () => {
    const r = await zsdr(query(), { password: '' })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(`The management node ${sim.baseUrl} was not asked: no password`)
    expect(r.stderr).toMatch(/--password-stdin or ZSDR_PASSWORD/)
    expect(r.stderr).toMatch(/Answered from the offline cache, synced (now|\d+ seconds? ago) \(\d{4}-/)
    expect(r.stderr).not.toMatch(/Connect first/)
  })

  it('the locale picks Chinese when --lang is not given; errors follow it too', async () => {
    const env = { ZSDR_HOME: home.path, ZSDR_PASSWORD: 'password', LANG: 'zh_CN.UTF-8', LC_ALL: '' }
    const table = await runZsdrInProcess(query(), env, TTY)
    expect(lines(table.stdout)[0]).toMatch(/^名称\s+UUID\s+状态/)
    const unknown = await runZsdrInProcess(['query', 'volumes', '-c', 'nowhere', '--offline'], env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^zsdr: 没有已保存的连接“nowhere”/)
    const english = await runZsdrInProcess(
      ['query', 'volumes', '-c', 'nowhere', '--offline', '--lang', 'en'],
      env,
    )
    expect(english.stderr).toMatch(/^zsdr: no saved connection "nowhere"/)
  })

  it('no password, in Chinese', async () => {
    const r = await zsdr(query('--lang', 'zh'), { password: '' })
    expect(r.stderr).toContain('未询问管理节点')
    expect(r.stderr).toContain('以上来自离线缓存')
  })

  it('unreachable node: its address, the error, and that the cache answered', async () => {
    await sim.close()
    const r = await zsdr(query())
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toHaveLength(5)
    expect(r.stderr).toContain(`The management node ${sim.baseUrl} did not answer: `)
    expect(r.stderr).toMatch(/Answered from the offline cache, synced/)
  })
})

describe('zsdr completion', () => {
  /** Asks the generated bash completion what it offers after `words` (the last one is being typed). */
  async function offered(script: string, words: string[]): Promise<string[]> {
    const { execFileSync } = await import('node:child_process')
    const line = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _zsdr; printf '%s\\n' "\${COMPREPLY[@]}"`
    return execFileSync('bash', ['--norc', '-c', line], { encoding: 'utf8' }).trim().split('\n')
  }

  it('bash: commands, options, resources, API names, formats and saved connection names, from the command tree', async () => {
    const r = await zsdr(['completion', 'bash'])
    expect(r.code).toBe(0)
    const script = r.stdout
    expect(await offered(script, ['zsdr', 'c'])).toEqual(['cache', 'completion'])
    expect(await offered(script, ['zsdr', 'db', ''])).toEqual(['scan', 'list', 'fetch', 'restore'])
    expect(await offered(script, ['zsdr', 'query', 'volume'])).toEqual([
      'volume-backups',
      'volumeBackups',
      'volumes',
    ])
    expect(await offered(script, ['zsdr', 'api', 'call', 'CreateV'])).toEqual([
      'CreateVolumeBackup',
      'CreateVmBackup',
    ])
    expect(await offered(script, ['zsdr', 'db', 'list', '--output', ''])).toEqual([
      'table',
      'json',
      'ndjson',
      'csv',
    ])
    expect(await offered(script, ['zsdr', 'db', 'fetch', '--acc'])).toEqual(['--accept-new-host-key'])
    const name = new URL(sim.baseUrl).host
    expect(await offered(script, ['zsdr', 'query', 'volumes', '-c', ''])).toContain(name)
    expect(await offered(script, ['zsdr', 'cache', 'status', ''])).toContain(name)
  })

  it('zsh wraps the same script; fish gets its own; an unknown shell is a usage error', async () => {
    const zsh = await zsdr(['completion', 'zsh'])
    expect(zsh.stdout).toMatch(/^#compdef zsdr\nautoload -U \+X bashcompinit/)
    const fish = await zsdr(['completion', 'fish'])
    expect(fish.stdout).toContain(`complete -c zsdr -n "__zsdr_path_is 'db'" -a 'scan list fetch restore'`)
    expect(fish.stdout).toMatch(/-l output -x -a 'table json ndjson csv'/)
    expect((await zsdr(['completion', 'tcsh'])).code).toBe(2)
  })
})
