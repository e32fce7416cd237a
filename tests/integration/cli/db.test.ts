import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addBackupImage, installZstcli, type ZstcliInstall } from '../../fixtures/zstcli/index.js'
import { runZsdr } from '../../harness/cli.js'
import { type Sshd, startSshd } from '../../harness/sshd.js'
import { makeTempDir } from '../../harness/temp.js'

const tmp = makeTempDir('cli-db')
let sshd: Sshd
let zst: ZstcliInstall
const image = gzipSync(Buffer.concat([Buffer.from('-- MySQL dump\n'), randomBytes(200_000)]))
const dump = gzipSync(Buffer.concat([Buffer.from('-- MySQL dump 2\n'), randomBytes(100_000)]))
// No keychain and a private HOME: the CLI must work from stdin/env secrets alone.
const env = {
  ZSDR_HOME: join(tmp.path, 'data'),
  HOME: join(tmp.path, 'home'),
  DBUS_SESSION_BUS_ADDRESS: '',
  SSH_AUTH_SOCK: '',
}
let hostArg: string
let common: string[]

beforeAll(async () => {
  chmodSync(tmp.path, 0o755)
  sshd = await startSshd()
  zst = installZstcli(tmp.path, 18002)
  addBackupImage(zst, {
    data: image,
    fileName: 'zstack-backup-db-2026-11-25_10-00-00.gz',
    version: '3.0.0',
    created: '2026-11-25T10:00:00',
  })
  mkdirSync(join(tmp.path, 'dumps'), { mode: 0o755 })
  writeFileSync(join(tmp.path, 'dumps', 'zstack-backup-db-2026-11-24_09-00-00.gz'), dump, { mode: 0o644 })
  hostArg = `${sshd.user}@127.0.0.1:${sshd.port}`
  common = ['--ssh-config', 'none', '--known-hosts', join(tmp.path, 'known_hosts')]
})
afterAll(async () => {
  await sshd?.stop()
  tmp.remove()
})

const scanArgs = () => [
  'db',
  'scan',
  hostArg,
  ...common,
  '--zstcli',
  zst.zstcli,
  '--root-ca',
  zst.rootCa,
  '--registry-port',
  String(zst.registryPort),
  '--dump-dir',
  join(tmp.path, 'dumps'),
]

describe('zsdr db scan / list / fetch', () => {
  it('refuses an unknown host key without --accept-new-host-key, showing its fingerprint', async () => {
    const r = await runZsdr([...scanArgs(), '--password-stdin'], { env, stdin: `${sshd.password}\n` })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(sshd.hostKeyFingerprint)
    expect(r.stdout).toMatch(/--accept-new-host-key/)
  })

  it('scans with the password from stdin and prints the backups; --json gives one document', async () => {
    const r = await runZsdr([...scanArgs(), '--password-stdin', '--accept-new-host-key', '--json'], {
      env,
      stdin: `${sshd.password}\n`,
    })
    expect(r.stderr).not.toContain(sshd.password)
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as {
      hosts: Array<{ found: number }>
      backups: Array<{ kind: string; zstackVersion: string | null }>
    }
    expect(doc.hosts[0]?.found).toBe(2)
    expect(doc.backups.map((b) => b.kind).sort()).toEqual(['dump-file', 'image-store'])
    expect(readFileSync(join(tmp.path, 'known_hosts'), 'utf8')).toContain(`[127.0.0.1]:${sshd.port}`)
  })

  it('lists the catalog offline and fetches a backup with the password from the environment', async () => {
    const list = await runZsdr(['db', 'list', '--json'], { env })
    const backups = JSON.parse(list.stdout) as Array<{ id: number; kind: string }>
    const img = backups.find((b) => b.kind === 'image-store')!
    const human = await runZsdr(['db', 'list', '-o', 'table'], { env })
    expect(human.stdout).toMatch(/ID\s+NAME\s+KIND\s+CREATED/)
    expect(human.stdout).toContain('2026-11-25 10:00')

    const r = await runZsdr(['db', 'fetch', String(img.id), ...common, '--json'], {
      env: { ...env, ZSDR_SSH_PASSWORD: sshd.password },
    })
    expect(r.code).toBe(0)
    const copy = JSON.parse(r.stdout) as { sha256: string; localPath: string }
    expect(copy.sha256).toBe(createHash('sha256').update(image).digest('hex'))
    expect(readFileSync(copy.localPath).equals(image)).toBe(true)
  })

  it('refuses a password in argv and bad arguments; nothing secret in output, SQLite or logs', async () => {
    const url = await runZsdr(
      ['db', 'scan', `ssh://${sshd.user}:${sshd.password}@127.0.0.1:${sshd.port}`, ...common],
      { env },
    )
    expect(url.code).toBe(1)
    expect(url.stderr).toMatch(/not accepted on the command line/)
    expect(url.stderr + url.stdout).not.toContain(sshd.password)
    expect((await runZsdr(['db', 'fetch', 'abc'], { env })).code).toBe(2)
    expect((await runZsdr(['db', 'scan'], { env })).code).toBe(2)
    const wrong = await runZsdr([...scanArgs(), '--password-stdin'], { env, stdin: 'wrong-password-999\n' })
    expect(wrong.code).toBe(1)
    expect(wrong.stdout).toMatch(/refused the login/)
    expect(wrong.stdout + wrong.stderr).not.toContain('wrong-password-999')
    for (const f of readdirSync(env.ZSDR_HOME).filter((n) => n.startsWith('zsdr.sqlite'))) {
      const bytes = readFileSync(join(env.ZSDR_HOME, f))
      expect(bytes.includes(sshd.password)).toBe(false)
      expect(bytes.includes('wrong-password-999')).toBe(false)
    }
  })
})
