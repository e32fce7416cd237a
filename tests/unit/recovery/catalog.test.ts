import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Database, openDatabase } from '../../../src-main/db/index.js'
import { BackupCatalog } from '../../../src-main/recovery/scan/catalog.js'
import { parseDesc } from '../../../src-main/recovery/scan/image-store.js'
import type { FoundBackup } from '../../../src-main/recovery/scan/types.js'
import { DEFAULT_IMAGE_STORE } from '../../../src-main/recovery/scan/types.js'

let db: Database
beforeEach(() => {
  db = openDatabase(':memory:')
})
afterEach(() => db.close())

const DIR = '/var/lib/zstack/mysql-backup'
const dump = (name: string): FoundBackup => ({
  kind: 'dump-file',
  location: `${DIR}/${name}`,
  name,
  zstackVersion: null,
  createdAt: '2026-11-20T00:00:00',
  size: 10,
})
const spec = { target: { host: 'root@h:22' }, imageStore: DEFAULT_IMAGE_STORE }

describe('BackupCatalog', () => {
  it('records what a scan found, marks what later disappeared, and keeps one row per place', () => {
    const c = new BackupCatalog(db)
    const host = c.upsertHost('root@h:22', spec, 'SHA256:abc')
    c.recordScan(
      host,
      [{ kind: 'dump-file', dirs: [DIR] }],
      [dump('a.gz'), dump('b.gz')],
      '2026-11-27T10:00:00.000Z',
    )
    c.recordScan(host, [{ kind: 'dump-file', dirs: [DIR] }], [dump('b.gz')], '2026-11-27T11:00:00.000Z')
    // Another folder looked at later leaves this one's backups alone.
    c.recordScan(host, [{ kind: 'dump-file', dirs: ['/elsewhere'] }], [], '2026-11-27T12:00:00.000Z')
    const list = c.list()
    expect(list).toHaveLength(2)
    expect(list.find((b) => b.name === 'a.gz')).toMatchObject({ missingSince: '2026-11-27T11:00:00.000Z' })
    expect(list.find((b) => b.name === 'b.gz')).toMatchObject({
      // still there after the /elsewhere scan
      missingSince: null,
      firstSeenAt: '2026-11-27T10:00:00.000Z',
      lastSeenAt: '2026-11-27T11:00:00.000Z',
      hostLabel: 'root@h:22',
    })
    expect(c.list({ includeMissing: false }).map((b) => b.name)).toEqual(['b.gz'])
    expect(c.upsertHost('root@h:22', spec, null)).toBe(host)
    expect(c.hostOfBackup(list[0]!.id)).toMatchObject({
      label: 'root@h:22',
      hostKeyFingerprint: 'SHA256:abc',
      spec,
    })
  })

  it('records fetched copies and shows the latest', () => {
    const c = new BackupCatalog(db)
    const host = c.upsertHost('root@h:22', spec, null)
    c.recordScan(host, [{ kind: 'dump-file' }], [dump('a.gz')])
    const id = c.list()[0]!.id
    c.recordFetch(id, { localPath: '/x/a.gz', sha256: 'aa', size: 10, uncompressedSize: 30 })
    c.recordFetch(id, { localPath: '/y/a.gz', sha256: 'bb', size: 10, uncompressedSize: 30 })
    expect(c.get(id)?.fetched).toMatchObject({ localPath: '/y/a.gz', sha256: 'bb' })
    expect(c.get(9999)).toBeNull()
  })
})

describe('image desc metadata', () => {
  it('reads ZStack JSON desc and tolerates free text', () => {
    expect(parseDesc('{"name":"a.gz","version":"3.0.0","createdTime":"2026"}')).toMatchObject({
      version: '3.0.0',
    })
    expect(parseDesc('hand-written note')).toEqual({})
    expect(parseDesc(undefined)).toEqual({})
  })
})
