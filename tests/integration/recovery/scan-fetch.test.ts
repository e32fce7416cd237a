import { createHash, randomBytes } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CatalogBackup, HostKeyPromptEvent, ScanFinished } from '../../../src-main/api/contract/index.js'
import { addBackupImage, installZstcli, type ZstcliInstall } from '../../fixtures/zstcli/index.js'
import { type Sshd, startSshd } from '../../harness/sshd.js'
import { startApp, type TestApp } from './services-helpers.js'

let sshd: Sshd
let app: TestApp
let work: string
let zst: ZstcliInstall
let imageId: string
const sqlDump = (label: string) =>
  Buffer.concat([Buffer.from(`-- MySQL dump ${label}\nCREATE DATABASE zstack;\n`), randomBytes(400_000)])
const imageData = gzipSync(sqlDump('image'))
const dumpData = gzipSync(sqlDump('dump'))
const remoteDumpData = gzipSync(sqlDump('remote'))
const localData = gzipSync(sqlDump('local'))
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

beforeAll(async () => {
  sshd = await startSshd()
  work = mkdtempSync(join(tmpdir(), 'zsdr-scan-'))
  chmodSync(work, 0o755)
  zst = installZstcli(work, 18000)
  imageId = addBackupImage(zst, {
    data: imageData,
    fileName: 'zstack-backup-db-2026-11-20_03-00-00.gz',
    version: '3.0.0',
    created: '2026-11-20T03:00:01',
  })
  for (const [dir, name, data] of [
    ['mysql-backup', 'zstack-backup-db-2026-11-21_04-05-06.gz', dumpData],
    ['from-zstack-remote-backup', 'zstack-backup-db-2026-11-19_01-02-03.gz', remoteDumpData],
    ['local', 'customer-copy.gz', localData],
  ] as const) {
    mkdirSync(join(work, dir), { recursive: true, mode: 0o755 })
    writeFileSync(join(work, dir, name), data, { mode: 0o644 })
  }
  writeFileSync(join(work, 'mysql-backup', 'notes.txt'), 'not a backup')
  app = startApp(join(work, 'data'), join(work, 'home'))
  await app.call('vault.set', {
    key: `ssh-password:${sshd.user}@127.0.0.1:${sshd.port}`,
    secret: sshd.password,
    remember: false,
  })
})
afterAll(async () => {
  await app?.services.close()
  await sshd?.stop()
  rmSync(work, { recursive: true, force: true })
})

function scanRequest(extra: Record<string, unknown> = {}) {
  return {
    hosts: [{ target: { host: `${sshd.user}@127.0.0.1:${sshd.port}`, agent: false } }],
    localDirs: [join(work, 'local')],
    imageStore: { zstcli: zst.zstcli, rootCa: zst.rootCa, registryPort: zst.registryPort },
    dumpDirs: [
      join(work, 'mysql-backup'),
      join(work, 'from-zstack-remote-backup'),
      join(work, 'no-such-dir'),
    ],
    sshConfigFile: null,
    ...extra,
  }
}

async function scan(extra: Record<string, unknown> = {}): Promise<ScanFinished> {
  const { opId } = await app.call('db.scan', scanRequest(extra))
  const done = await app.finished(opId)
  expect(done.outcome).toBe('succeeded')
  return app.events.find((e) => e.name === 'db.scanned' && (e.payload as ScanFinished).opId === opId)
    ?.payload as ScanFinished
}

async function fetch(backup: CatalogBackup) {
  const { opId } = await app.call('db.fetch', { backupId: backup.id, sshConfigFile: null })
  return app.finished(opId)
}

describe('scan and fetch over real SSH', () => {
  it('asks about the unknown host key through events, then scans image store, dump folders and local files', async () => {
    const stop = app.services.bus.subscribe((name, payload) => {
      if (name === 'ssh.hostKeyPrompt') {
        const p = payload as HostKeyPromptEvent
        void app.call('ssh.answerHostKey', { promptId: p.promptId, accept: true })
      }
    })
    const result = await scan()
    stop()
    const prompt = app.events.find((e) => e.name === 'ssh.hostKeyPrompt')?.payload as HostKeyPromptEvent
    expect(prompt).toMatchObject({ fingerprint: sshd.hostKeyFingerprint, keyType: 'ssh-ed25519' })
    expect(result.hosts).toEqual(
      expect.arrayContaining([
        {
          label: `${sshd.user}@127.0.0.1:${sshd.port}`,
          hostKeyFingerprint: sshd.hostKeyFingerprint,
          found: 3,
          problems: [],
        },
        { label: 'localhost', hostKeyFingerprint: null, found: 1, problems: [] },
      ]),
    )
    const catalog = await app.call('db.catalog', {})
    const byName = Object.fromEntries(catalog.map((b) => [b.name, b]))
    expect(byName['zstack-backup-db-2026-11-20_03-00-00.gz']).toMatchObject({
      kind: 'image-store',
      location: `zstore://zsbak/${imageId}`,
      zstackVersion: '3.0.0',
      createdAt: '2026-11-20T03:00:01',
      size: imageData.length,
      hostLabel: `${sshd.user}@127.0.0.1:${sshd.port}`,
      fetched: null,
    })
    expect(byName['zstack-backup-db-2026-11-21_04-05-06.gz']).toMatchObject({
      kind: 'dump-file',
      location: join(work, 'mysql-backup', 'zstack-backup-db-2026-11-21_04-05-06.gz'),
      createdAt: '2026-11-21T04:05:06',
      size: dumpData.length,
    })
    expect(byName['zstack-backup-db-2026-11-19_01-02-03.gz']).toMatchObject({
      createdAt: '2026-11-19T01:02:03',
    })
    expect(byName['customer-copy.gz']).toMatchObject({ hostLabel: 'localhost', size: localData.length })
    expect(catalog).toHaveLength(4)
  })

  it('fetches an image-store backup with the same SHA-256 and leaves nothing on the host', async () => {
    const backup = (await app.call('db.catalog', {})).find((b) => b.kind === 'image-store')!
    const done = await fetch(backup)
    expect(done.outcome).toBe('succeeded')
    const fetched = (await app.call('db.catalog', {})).find((b) => b.id === backup.id)!.fetched!
    expect(fetched.sha256).toBe(sha(imageData))
    expect(sha(readFileSync(fetched.localPath))).toBe(sha(imageData))
    expect(existsSync(`${fetched.localPath}.part`)).toBe(false)
    expect(JSON.parse(readFileSync(`${fetched.localPath}.imf2`, 'utf8'))).toMatchObject({
      id: imageId,
      name: 'zsbak',
    })
    const progress = app.events.filter(
      (e) => e.name === 'op.progress' && (e.payload as { opId: string }).opId === done.opId,
    )
    expect(progress.some((e) => (e.payload as { phase: string }).phase === 'download')).toBe(true)
    // Other test files may be fetching at the same time: look only for this image's export.
    const ours = readdirSync('/tmp')
      .filter((n) => n.startsWith('zsdr-fetch.'))
      .filter((n) => {
        const imf2 = join('/tmp', n, 'zsdb.imf2')
        return existsSync(imf2) && readFileSync(imf2, 'utf8').includes(imageId)
      })
    expect(ours).toEqual([])
  })

  it('fetches a dump file and verifies a local one in place', async () => {
    const catalog = await app.call('db.catalog', {})
    for (const [name, data] of [
      ['zstack-backup-db-2026-11-21_04-05-06.gz', dumpData],
      ['customer-copy.gz', localData],
    ] as const) {
      const backup = catalog.find((b) => b.name === name)!
      expect((await fetch(backup)).outcome).toBe('succeeded')
      const copy = (await app.call('db.catalog', {})).find((b) => b.id === backup.id)!.fetched!
      expect(copy).toMatchObject({ sha256: sha(data), size: data.length })
      expect(copy.uncompressedSize).toBeGreaterThan(400_000)
    }
  })

  it('refuses a corrupted or truncated dump file and keeps no partial copy', async () => {
    const bad = Buffer.from(dumpData)
    bad[Math.floor(bad.length / 2)] = (bad[Math.floor(bad.length / 2)] ?? 0) ^ 0xff
    writeFileSync(join(work, 'mysql-backup', 'zstack-backup-db-2026-11-22_00-00-00.gz'), bad, { mode: 0o644 })
    writeFileSync(
      join(work, 'mysql-backup', 'zstack-backup-db-2026-11-23_00-00-00.gz'),
      dumpData.subarray(0, 5000),
      {
        mode: 0o644,
      },
    )
    await scan()
    const catalog = await app.call('db.catalog', {})
    for (const [name, problem] of [
      ['zstack-backup-db-2026-11-22_00-00-00.gz', 'corrupt'],
      ['zstack-backup-db-2026-11-23_00-00-00.gz', 'truncated'],
    ]) {
      const backup = catalog.find((b) => b.name === name)!
      const done = await fetch(backup)
      expect(done).toMatchObject({
        outcome: 'failed',
        error: { code: 'backup.integrity_failed', details: { problem } },
      })
      expect((await app.call('db.catalog', {})).find((b) => b.id === backup.id)!.fetched).toBeNull()
    }
    const dir = join(work, 'data', 'backups', `${sshd.user}@127.0.0.1_${sshd.port}`)
    expect(readdirSync(dir).filter((n) => n.endsWith('.part'))).toEqual([])
  })

  it('says when zstore is not running and offers the start command; dump files are still scanned', async () => {
    zst.configure({ running: false })
    try {
      const result = await scan()
      const host = result.hosts.find((h) => h.label !== 'localhost')!
      expect(host.problems[0]).toMatchObject({ code: 'scan.zstore_not_running' })
      expect(host.problems[0]?.message.en).toMatch(/zstore -conf/)
      expect(host.found).toBe(4)
      // The image-store backup seen before is kept in the catalog.
      expect((await app.call('db.catalog', {})).some((b) => b.kind === 'image-store')).toBe(true)
    } finally {
      zst.configure({ running: true })
    }
  })

  it('keeps a remote file name with a newline, a tab or control bytes as one name: no forged entry', async () => {
    const dir = join(work, 'odd-names')
    mkdirSync(dir, { mode: 0o755 })
    // Under a newline-separated listing this name read as a second, newest backup (relative to $HOME).
    const forging = 'x.gz\n5\t4102444800\tzstack-backup-db-2099-12-31_00-00-00.gz'
    const odd = 'odd\tname \u001b[31mred\u0007.gz'
    for (const name of [forging, odd]) writeFileSync(join(dir, name), dumpData, { mode: 0o644 })
    await scan({ dumpDirs: [...scanRequest().dumpDirs, dir] })
    const catalog = await app.call('db.catalog', {})
    expect(catalog.filter((b) => b.kind === 'dump-file' && !b.location.startsWith(`${work}/`))).toEqual([])
    expect(catalog.filter((b) => b.createdAt?.startsWith('2099'))).toEqual([])
    expect(catalog.filter((b) => b.location.startsWith(`${dir}/`)).map((b) => [b.name, b.size])).toEqual(
      expect.arrayContaining([
        [forging, dumpData.length],
        [odd, dumpData.length],
      ]),
    )
    expect(catalog.filter((b) => b.location.startsWith(`${dir}/`))).toHaveLength(2)
  })

  it('refuses a search of nothing; a refused place reports its problem, not just "0 found"', async () => {
    await expect(app.call('db.scan', { hosts: [], localDirs: [] })).rejects.toMatchObject({
      code: 'scan.nothing',
    })
    // Nothing listens on port 1: the host refuses the connection.
    const { opId } = await app.call(
      'db.scan',
      scanRequest({ hosts: [{ target: { host: `${sshd.user}@127.0.0.1:1`, agent: false } }], localDirs: [] }),
    )
    await app.finished(opId)
    const scanned = app.events.find(
      (e) => e.name === 'db.scanned' && (e.payload as ScanFinished).opId === opId,
    )?.payload as ScanFinished
    expect(scanned.hosts).toHaveLength(1)
    expect(scanned.hosts[0]).toMatchObject({ found: 0 })
    expect(scanned.hosts[0]?.problems[0]?.code).toMatch(/^ssh\./)
  })

  it('the catalog answers with the host gone (no network needed)', async () => {
    await sshd.stop()
    const catalog = await app.call('db.catalog', { hostLabel: `${sshd.user}@127.0.0.1:${sshd.port}` })
    expect(catalog.length).toBeGreaterThanOrEqual(4)
    expect(catalog.every((b) => b.hostLabel === `${sshd.user}@127.0.0.1:${sshd.port}`)).toBe(true)
  })

  it('keeps the data folder 0700 and the database, its WAL and fetched copies 0600', async () => {
    const mode = (path: string) => statSync(path).mode & 0o777
    const data = join(work, 'data')
    expect(mode(data)).toBe(0o700)
    for (const suffix of ['', '-wal', '-shm'])
      expect(mode(join(data, `zsdr.sqlite${suffix}`)), suffix).toBe(0o600)
    const copies = readdirSync(join(data, 'backups'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
    expect(copies.length).toBeGreaterThanOrEqual(2)
    for (const copy of copies) expect(mode(copy), copy).toBe(0o600)
    for (const dir of readdirSync(join(data, 'backups'))) expect(mode(join(data, 'backups', dir))).toBe(0o700)
  })

  it('leaves no password in SQLite or the log', async () => {
    app.services.db.pragma('wal_checkpoint(TRUNCATE)')
    const files = readdirSync(join(work, 'data')).filter((n) => n.startsWith('zsdr.sqlite'))
    for (const f of files) expect(readFileSync(join(work, 'data', f)).includes(sshd.password)).toBe(false)
    expect(app.logText()).not.toContain(sshd.password)
    expect(app.logText()).toContain('scanned host')
    expect(JSON.stringify(app.events)).not.toContain(sshd.password)
  })
})
