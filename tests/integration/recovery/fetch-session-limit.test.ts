import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectHost, KnownHosts } from '../../../src-main/ssh/index.js'
import { generateKeyPair, type Sshd, startSshd } from '../../harness/sshd.js'
import { exportsLeftOnHost, seedAndScan, startApp, type TestApp } from './services-helpers.js'

// Hardened hosts limit the channels of one connection (sshd's MaxSessions; CIS asks for 10 or
// less, some set 1). The fetch asks for a second SFTP channel on any file over 16 MiB, and opens
// the SFTP channel while it checks the file: with room for one channel only, the copy must still
// finish, on that one, and be verified.
let sshd: Sshd
let app: TestApp
let work: string
let imageId: string
const data = gzipSync(randomBytes(24 * 1024 * 1024), { level: 1 })
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

beforeAll(async () => {
  sshd = await startSshd({ extraConfig: 'MaxSessions 1' })
  work = mkdtempSync(join(tmpdir(), 'zsdr-session-limit-'))
  chmodSync(work, 0o755)
  app = startApp(join(work, 'data'), join(work, 'home'))
  imageId = await seedAndScan(
    app,
    work,
    { target: `${sshd.user}@127.0.0.1:${sshd.port}`, password: sshd.password },
    data,
    18003,
  )
}, 120_000)
afterAll(async () => {
  await app?.services.close()
  await sshd?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('fetch from a host that allows one channel per connection', () => {
  it.each(['dump-file', 'image-store'] as const)(
    'copies a %s backup on the one channel it gets, verified, and leaves nothing on the host',
    async (kind) => {
      const b = (await app.call('db.catalog', {})).find((x) => x.kind === kind)
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
      // zstcli's export on the host (image store) is removed once the copy is done.
      expect(exportsLeftOnHost(imageId)).toEqual([])
    },
    90_000,
  )
})

describe('a host that allows one channel per connection', () => {
  it('refuses a second channel with a clear error, not a lost connection, and gives it once the first is closed', async () => {
    const key = generateKeyPair(work, 'one-channel-key')
    sshd.authorize(key.publicKeyText)
    const host = await connectHost(
      { host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: key.privateKey, agent: false },
      {
        knownHosts: new KnownHosts(join(work, 'known_hosts_direct')),
        acceptNewHostKey: true,
        configFile: null,
      },
    )
    try {
      await host.sftp()
      await expect(host.run('true')).rejects.toMatchObject({ code: 'ssh.channel_refused' })
      expect(host.closed).toBe(false)
      await host.closeSftp()
      expect((await host.run('echo ok')).stdout).toBe('ok\n')
    } finally {
      await host.close()
    }
  }, 30_000)
})
