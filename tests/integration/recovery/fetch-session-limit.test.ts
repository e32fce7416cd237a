import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sshd, startSshd } from '../../harness/sshd.js'
import { startApp, type TestApp } from './services-helpers.js'

// Hardened hosts limit the channels of one connection (sshd's MaxSessions; CIS asks for 10 or
// less, some set 1). The fetch asks for a second SFTP channel on any file over 16 MiB, and opens
// the SFTP channel while it checks the file: with room for one channel only, the copy must still
// finish, on that one, and be verified.
let sshd: Sshd
let app: TestApp
let work: string
const data = gzipSync(randomBytes(24 * 1024 * 1024), { level: 1 })
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

beforeAll(async () => {
  sshd = await startSshd({ extraConfig: 'MaxSessions 1' })
  work = mkdtempSync(join(tmpdir(), 'zsdr-session-limit-'))
  chmodSync(work, 0o755)
  mkdirSync(join(work, 'dumps'), { mode: 0o755 })
  writeFileSync(join(work, 'dumps', 'zstack-backup-db-2026-11-26_00-00-00.gz'), data, { mode: 0o644 })
  app = startApp(join(work, 'data'), join(work, 'home'))
  await app.call('vault.set', {
    key: `ssh-password:${sshd.user}@127.0.0.1:${sshd.port}`,
    secret: sshd.password,
    remember: false,
  })
  const { opId } = await app.call('db.scan', {
    hosts: [{ target: { host: `${sshd.user}@127.0.0.1:${sshd.port}`, agent: false } }],
    dumpDirs: [join(work, 'dumps')],
    acceptNewHostKey: true,
    sshConfigFile: null,
  })
  expect((await app.finished(opId)).outcome).toBe('succeeded')
}, 120_000)
afterAll(async () => {
  await app?.services.close()
  await sshd?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('fetch from a host that allows one channel per connection', () => {
  it('copies on the one channel it gets, and the copy is verified', async () => {
    const [b] = await app.call('db.catalog', {})
    const { opId } = await app.call('db.fetch', { backupId: b!.id, sshConfigFile: null })
    const done = await app.finished(opId)
    expect(done.outcome, JSON.stringify(done.error)).toBe('succeeded')
    const copy = (await app.call('db.catalog', {})).find((x) => x.id === b!.id)!.fetched!
    expect(sha(readFileSync(copy.localPath))).toBe(sha(data))
    const copied = app
      .logText()
      .split('\n')
      .filter((l) => l.includes('"fetch copied"'))
      .map((l) => JSON.parse(l) as { channels: number })
    expect(copied.at(-1)?.channels).toBe(1)
  }, 90_000)
})
