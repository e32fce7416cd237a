import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CatalogBackup, OperationProgress } from '../../../src-main/api/contract/index.js'
import { type Sshd, startSshd, startTcpProxy, type TcpProxy } from '../../harness/sshd.js'
import { exportsLeftOnHost, seedAndScan, startApp, type TestApp } from './services-helpers.js'

let sshd: Sshd
let proxy: TcpProxy
let app: TestApp
let work: string
let imageId: string
// Incompressible, so the copy takes long enough on loopback to be interrupted part-way.
const data = gzipSync(randomBytes(48 * 1024 * 1024), { level: 1 })
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

beforeAll(async () => {
  sshd = await startSshd()
  proxy = await startTcpProxy(sshd.port)
  work = mkdtempSync(join(tmpdir(), 'zsdr-resume-'))
  chmodSync(work, 0o755)
  app = startApp(join(work, 'data'), join(work, 'home'))
  imageId = await seedAndScan(
    app,
    work,
    { target: `${sshd.user}@127.0.0.1:${proxy.port}`, password: sshd.password },
    data,
    18001,
  )
}, 120_000)
afterAll(async () => {
  await app?.services.close()
  await proxy?.stop()
  await sshd?.stop()
  rmSync(work, { recursive: true, force: true })
})

function downloads(opId: string): OperationProgress[] {
  return app.events
    .filter((e) => e.name === 'op.progress')
    .map((e) => e.payload as OperationProgress)
    .filter((p) => p.opId === opId && p.phase === 'download')
}

/** Runs `act` once, the first time a download of `opId` has passed `bytes`. */
function onceDownloaded(bytes: number, act: (opId: string) => void): () => void {
  let fired = false
  return app.services.bus.subscribe((name, payload) => {
    const p = payload as OperationProgress
    if (!fired && name === 'op.progress' && p.phase === 'download' && p.done > bytes) {
      fired = true
      act(p.opId)
    }
  })
}

async function backup(kind: CatalogBackup['kind']): Promise<CatalogBackup> {
  return (await app.call('db.catalog', {})).find((b) => b.kind === kind)!
}

describe('fetch across a dropped connection and a cancel', () => {
  it('resumes an image-store fetch after the connection drops, from the partial file', async () => {
    const b = await backup('image-store')
    const stop = onceDownloaded(8 * 1024 * 1024, () => proxy.cutAll())
    const { opId } = await app.call('db.fetch', { backupId: b.id, sshConfigFile: null })
    const done = await app.finished(opId)
    stop()
    expect(done.outcome).toBe('succeeded')
    const copy = (await app.call('db.catalog', {})).find((x) => x.id === b.id)!.fetched!
    expect(copy.sha256).toBe(sha(data))
    expect(sha(readFileSync(copy.localPath))).toBe(sha(data))
    // After the drop the copy went on from where it was: progress never went back to zero.
    const resumed = app
      .logText()
      .split('\n')
      .filter((l) => l.includes('fetch interrupted; resuming'))
      .map((l) => JSON.parse(l) as { resumeFrom: number })
    expect(resumed.length).toBeGreaterThanOrEqual(1)
    expect(resumed[0]?.resumeFrom).toBeGreaterThan(8 * 1024 * 1024)
    const seq = downloads(opId).map((p) => p.done)
    expect(seq.every((d, i) => i === 0 || d >= (seq[i - 1] ?? 0))).toBe(true)
    // The export zstcli made on the host is gone.
    expect(exportsLeftOnHost(imageId)).toEqual([])
  })

  it('cancels a dump-file fetch, keeps the partial copy, and the next fetch continues from it', async () => {
    const b = await backup('dump-file')
    const stop = onceDownloaded(8 * 1024 * 1024, (opId) => void app.call('ops.cancel', { opId }))
    const first = await app.call('db.fetch', { backupId: b.id, sshConfigFile: null })
    expect(await app.finished(first.opId)).toMatchObject({
      outcome: 'cancelled',
      error: { code: 'op.cancelled' },
    })
    stop()
    const dir = join(work, 'data', 'backups', `${sshd.user}@127.0.0.1_${proxy.port}`)
    const part = join(dir, 'zstack-backup-db-2026-11-26_00-00-00.gz.part')
    const partial = statSync(part).size
    expect(partial).toBeGreaterThan(0)
    expect(partial).toBeLessThan(data.length)

    const second = await app.call('db.fetch', { backupId: b.id, sshConfigFile: null })
    expect((await app.finished(second.opId)).outcome).toBe('succeeded')
    expect(downloads(second.opId)[0]?.done).toBe(partial)
    const copy = (await app.call('db.catalog', {})).find((x) => x.id === b.id)!.fetched!
    expect(copy.sha256).toBe(sha(data))
    expect(existsSync(part)).toBe(false)
  })
})
