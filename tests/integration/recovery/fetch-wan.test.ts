import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CatalogBackup, OperationProgress } from '../../../src-main/api/contract/index.js'
import { type LinkEmulator, startLinkEmulator } from '../../harness/link-emulator.js'
import { type Sshd, startSshd } from '../../harness/sshd.js'
import { startApp, type TestApp } from './services-helpers.js'

// A 16 MiB dump fetched through emulated WAN links (loopback proxies with a set round trip and
// rate): a long one, where one SFTP channel's 2 MiB window cannot fill the link, and a VPN-like
// one that drops mid-way.
let sshd: Sshd
let longLink: LinkEmulator
let vpnLink: LinkEmulator
let app: TestApp
let work: string
const data = gzipSync(randomBytes(16 * 1024 * 1024), { level: 1 })
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const target = (link: LinkEmulator) => `${sshd.user}@127.0.0.1:${link.port}`

beforeAll(async () => {
  sshd = await startSshd()
  longLink = await startLinkEmulator(sshd.port, { rttMs: 200, rateMbit: 400 })
  vpnLink = await startLinkEmulator(sshd.port, { rttMs: 20, rateMbit: 100 })
  work = mkdtempSync(join(tmpdir(), 'zsdr-wan-'))
  chmodSync(work, 0o755)
  mkdirSync(join(work, 'dumps'), { mode: 0o755 })
  writeFileSync(join(work, 'dumps', 'zstack-backup-db-2026-11-26_00-00-00.gz'), data, { mode: 0o644 })
  app = startApp(join(work, 'data'), join(work, 'home'))
  for (const link of [longLink, vpnLink]) {
    await app.call('vault.set', {
      key: `ssh-password:${target(link)}`,
      secret: sshd.password,
      remember: false,
    })
  }
  const { opId } = await app.call('db.scan', {
    hosts: [longLink, vpnLink].map((link) => ({ target: { host: target(link), agent: false } })),
    dumpDirs: [join(work, 'dumps')],
    acceptNewHostKey: true,
    sshConfigFile: null,
  })
  expect((await app.finished(opId)).outcome).toBe('succeeded')
}, 120_000)
afterAll(async () => {
  await app?.services.close()
  await longLink?.stop()
  await vpnLink?.stop()
  await sshd?.stop()
  rmSync(work, { recursive: true, force: true })
})

async function backupVia(link: LinkEmulator): Promise<CatalogBackup> {
  return (await app.call('db.catalog', {})).find((b) => b.hostLabel === target(link))!
}

function copiedLog(): Array<{ channels: number; rttMs: number; resumedFrom: number }> {
  return app
    .logText()
    .split('\n')
    .filter((l) => l.includes('"fetch copied"'))
    .map((l) => JSON.parse(l))
}

describe('fetch over emulated WAN links', () => {
  it('fills a long link with parallel SFTP channels, and the copy arrives whole and verified', async () => {
    const b = await backupVia(longLink)
    const { opId } = await app.call('db.fetch', { backupId: b.id, sshConfigFile: null })
    expect((await app.finished(opId)).outcome).toBe('succeeded')
    const copy = (await app.call('db.catalog', {})).find((x) => x.id === b.id)!.fetched!
    expect(copy.sha256).toBe(sha(data))
    expect(sha(readFileSync(copy.localPath))).toBe(sha(data))
    const [log] = copiedLog()
    // The round trip was measured through the link, and one 2 MiB window per 200 ms (10 MiB/s)
    // was found to be the limit on a 400 Mbit/s link: more channels were opened.
    expect(log?.rttMs).toBeGreaterThanOrEqual(199)
    expect(log?.channels).toBeGreaterThan(1)
  }, 90_000)

  it('resumes after the link drops mid-way, and the copy is verified', async () => {
    const b = await backupVia(vpnLink)
    let cut = false
    const stop = app.services.bus.subscribe((name, payload) => {
      const p = payload as OperationProgress
      if (!cut && name === 'op.progress' && p.phase === 'download' && p.done > 6 * 1024 * 1024) {
        cut = true
        vpnLink.cutAll()
      }
    })
    const { opId } = await app.call('db.fetch', { backupId: b.id, sshConfigFile: null })
    const done = await app.finished(opId)
    stop()
    expect(cut).toBe(true)
    expect(done.outcome).toBe('succeeded')
    const copy = (await app.call('db.catalog', {})).find((x) => x.id === b.id)!.fetched!
    expect(copy.sha256).toBe(sha(data))
    expect(sha(readFileSync(copy.localPath))).toBe(sha(data))
    const resumed = copiedLog().at(-1)
    expect(resumed?.resumedFrom).toBeGreaterThan(6 * 1024 * 1024)
  }, 90_000)
})
