import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { acquireSyncLock, type SyncLockHolder, syncLockFile } from '../../../src-main/cache/sync-lock.js'
import { SyncWorkerHost } from '../../../src-main/cache/sync-runner.js'
import { lockError } from '../../../src-main/db/errors.js'
import { openDatabase } from '../../../src-main/db/index.js'
import { memoryLogger } from '../../harness/services.js'
import { makeTempDir } from '../../harness/temp.js'

/** Syncs of one connection take turns through a lock file; lock failures are clear errors, their cause logged. */
const dir = makeTempDir('sync-lock')
const dbFile = join(dir.path, 'zsdr.sqlite')
afterAll(() => dir.remove())

describe('the sync lock file', () => {
  it('a second sync waits while another live process holds the lock, says so once, then goes on', async () => {
    const file = syncLockFile(dbFile, 'c1')
    const other: SyncLockHolder = { pid: process.ppid, host: hostname(), since: new Date().toISOString() }
    writeFileSync(file, JSON.stringify(other))
    const waits: SyncLockHolder[] = []
    let acquired = false
    const second = acquireSyncLock(dbFile, 'c1', { onWait: (h) => waits.push(h) }).then((r) => {
      acquired = true
      return r
    })
    await new Promise((r) => setTimeout(r, 700))
    expect(acquired).toBe(false)
    expect(waits).toEqual([other])
    // Another connection is not held up.
    ;(await acquireSyncLock(dbFile, 'c2'))()
    unlinkSync(file)
    ;(await second)()
    expect(acquired).toBe(true)
    expect(existsSync(file)).toBe(false)
  })

  it('a lock left by this process (a sync thread that crashed) is taken over', async () => {
    await acquireSyncLock(dbFile, 'c6')
    const waits: SyncLockHolder[] = []
    ;(await acquireSyncLock(dbFile, 'c6', { onWait: (h) => waits.push(h) }))()
    expect(waits).toEqual([])
  })

  it('a lock left by a process that ended is taken over at once', async () => {
    const ended = spawnSync(process.execPath, ['-e', '']).pid!
    const holder: SyncLockHolder = { pid: ended, host: hostname(), since: new Date().toISOString() }
    writeFileSync(syncLockFile(dbFile, 'c3'), JSON.stringify(holder))
    const waits: SyncLockHolder[] = []
    const release = await acquireSyncLock(dbFile, 'c3', { onWait: (h) => waits.push(h) })
    expect(waits).toEqual([])
    release()
  })

  it('waiting ends with a clear error after the longest wait, and at once on cancel', async () => {
    const other: SyncLockHolder = { pid: process.ppid, host: hostname(), since: new Date().toISOString() }
    writeFileSync(syncLockFile(dbFile, 'c4'), JSON.stringify(other))
    await expect(acquireSyncLock(dbFile, 'c4', { maxWaitMs: 300 })).rejects.toMatchObject({
      code: 'cache.sync_locked',
      details: { holder: other },
    })
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('stop')), 100)
    await expect(acquireSyncLock(dbFile, 'c4', { signal: controller.signal })).rejects.toThrow('stop')
  })
})

describe('lock errors', () => {
  it('SQLITE_BUSY from a database another connection holds becomes db.busy, keeping its cause', () => {
    const file = join(dir.path, 'busy.sqlite')
    openDatabase(file).close()
    const holder = new BetterSqlite3(file)
    holder.exec('BEGIN IMMEDIATE')
    const db = new BetterSqlite3(file, { timeout: 50 })
    let thrown: unknown
    try {
      db.exec('BEGIN IMMEDIATE')
    } catch (e) {
      thrown = e
    } finally {
      holder.exec('ROLLBACK')
      holder.close()
      db.close()
    }
    const error = lockError(thrown)
    expect(error?.code).toBe('db.busy')
    expect(error?.text.en).toMatch(/locked by another process/)
    expect(error?.details).toEqual({ sqliteCode: 'SQLITE_BUSY' })
    expect(error?.cause).toBe(thrown)
    expect(lockError(new Error('other'))).toBeNull()
  })

  it('an unexpected failure in the sync thread reaches the log with its cause', async () => {
    const { log, lines } = memoryLogger()
    const host = new SyncWorkerHost(log)
    // The data folder is a file: opening the database fails with ENOTDIR, not an AppError.
    const notADir = join(dir.path, 'not-a-dir')
    mkdirSync(dir.path, { recursive: true })
    writeFileSync(notADir, '')
    await expect(
      host.run({
        dbFile: join(notADir, 'zsdr.sqlite'),
        connectionId: 'c5',
        mode: 'full',
        source: { module: 'unused', args: {} },
      }),
    ).rejects.toMatchObject({ code: 'internal' })
    await host.close()
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; cause?: { code?: string } })
    expect(logged.find((l) => l.msg === 'cache sync failed')?.cause?.code).toBe('ENOTDIR')
  })
})
