import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { ZSDR_BIN } from '../../harness/cli.js'

// What `zsdr` imports or requires at start-up, as tests/harness/record-imports.mjs records it,
// not timed (timing is the cli-start benchmark's job, #17). It runs bin/zsdr.js as a user does:
// the built bundle when it is newer than the sources (`npm test` builds first), else the sources
// through tsx; both must keep the heavy packages out of start-up.
const RECORDER = fileURLToPath(new URL('../../harness/record-imports.mjs', import.meta.url))
/** Loaded by commands that open the services (database, SSH, schemas), on first use (below), or for tables. */
const HEAVY = [
  'zod',
  'ssh2',
  'ssh-config',
  'pino',
  'better-sqlite3',
  '@napi-rs/keyring',
  'croner',
  'cronstrue',
  'string-width',
]

/** Loaded only by what uses them (schedules, overview, the keychain, the first log line), not with the services. */
const ON_FIRST_USE = ['cronstrue', '@napi-rs/keyring', 'pino']

const dir = mkdtempSync(join(tmpdir(), 'zsdr-start-up-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let runs = 0
/** Runs `zsdr args…` and returns its exit code and the packages it imported. */
function importsOf(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; packages: Set<string> } {
  const record = join(dir, `imports-${++runs}.txt`)
  const r = spawnSync(process.execPath, ['--import', RECORDER, ZSDR_BIN, ...args], {
    env: { ...process.env, ZSDR_HOME: join(dir, 'home'), ZSDR_RECORD_IMPORTS: record, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  })
  const text = (() => {
    try {
      return readFileSync(record, 'utf8')
    } catch {
      return ''
    }
  })()
  return { status: r.status, packages: new Set(text.split('\n').filter(Boolean)) }
}

describe('zsdr start-up', () => {
  it.each([
    [['--help'], 0],
    [['--version'], 0],
    [['db', 'restore', '--help'], 0],
    [['api', 'call', '--help'], 0],
    [['help', 'query'], 0],
    [['db', 'restore'], 2],
  ])('zsdr %j loads only commander and the command definitions', (args, code) => {
    const { status, packages } = importsOf(args)
    expect(status).toBe(code)
    expect(packages.has('commander')).toBe(true)
    expect(HEAVY.filter((p) => packages.has(p))).toEqual([])
  })

  it('a command that opens the services loads them (so the check above sees what it claims)', () => {
    const { status, packages } = importsOf(['db', 'list'])
    expect(status).toBe(0)
    // string-width is required at the first table measurement: an empty catalog prints no table.
    const withServices = HEAVY.filter((p) => p !== 'string-width' && !ON_FIRST_USE.includes(p))
    expect(withServices.filter((p) => !packages.has(p))).toEqual([])
    expect(ON_FIRST_USE.filter((p) => packages.has(p))).toEqual([])
  })

  /** `zsdr db restore` to a port that refuses at once: the run starts and is refused at its preflight. */
  function restoreImports(extra: string[] = []): { status: number | null; packages: Set<string> } {
    const backup = join(dir, 'backup.gz')
    writeFileSync(backup, gzipSync('-- not a dump\n'))
    return importsOf(
      ['db', 'restore', 'u@127.0.0.1:1', backup, '--ssh-config', 'none', '--yes', '--json', ...extra],
      {
        HOME: join(dir, 'user'),
        DBUS_SESSION_BUS_ADDRESS: '',
        SSH_AUTH_SOCK: '',
        ZSDR_SSH_PASSWORD: 'unused',
        ZSDR_MYSQL_ROOT_PASSWORD: 'unused',
      },
    )
  }

  it('a restore loads what its run needs, not what other commands use', () => {
    const { status, packages } = restoreImports()
    expect(status).toBe(1)
    expect(['zod', 'ssh2', 'better-sqlite3'].filter((p) => !packages.has(p))).toEqual([])
    expect(ON_FIRST_USE.filter((p) => packages.has(p))).toEqual([])
  })

  it('the keychain module is loaded when a secret is to be remembered (so the check above can see it)', () => {
    // No D-Bus here: storing fails (vault.unavailable) after the module was loaded.
    const { status, packages } = restoreImports(['--remember-mysql-password'])
    expect(status).toBe(1)
    expect(packages.has('@napi-rs/keyring')).toBe(true)
  })
})
