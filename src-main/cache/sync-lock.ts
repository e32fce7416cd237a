import { createHash } from 'node:crypto'
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { AppError } from '../errors/app-error.js'

/** Who holds a connection's sync lock: written into the lock file by its owner. */
export interface SyncLockHolder {
  pid: number
  host: string
  since: string
}

export interface SyncLockOptions {
  signal?: AbortSignal
  /** Called once, when the lock is held by another live sync and this one starts waiting. */
  onWait?: (holder: SyncLockHolder) => void
  /** Give up after this long (default 10 min: far longer than any sync step). */
  maxWaitMs?: number
}

const FIRST_RETRY_MS = 100
const MAX_RETRY_MS = 2_000
const TORN_STALE_MS = 5_000

/**
 * Syncs of one connection take turns across processes (window, web host, CLI, cron) through a
 * lock file beside the database: created exclusively (`wx`), holding the owner's pid. A second
 * full sync would otherwise take the first one's unpublished snapshot for a leftover and delete it.
 * A lock whose owner is gone (process ended, or a crashed sync thread of this very process: the
 * service runs one sync per connection) is taken over.
 */
export async function acquireSyncLock(
  dbFile: string,
  connectionId: string,
  options: SyncLockOptions = {},
): Promise<() => void> {
  const file = syncLockFile(dbFile, connectionId)
  const mine: SyncLockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() }
  const body = JSON.stringify(mine)
  const startedAt = Date.now()
  const maxWaitMs = options.maxWaitMs ?? 600_000
  let delay = FIRST_RETRY_MS
  let told = false
  for (;;) {
    options.signal?.throwIfAborted()
    try {
      writeFileSync(file, body, { flag: 'wx', mode: 0o600 })
      return () => release(file, body)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    const holder = readHolder(file)
    if (holder === 'gone') continue
    if (holder === 'torn') {
      // Being written this instant, or left half-written by a crash: only the latter stays so.
      if (ageMs(file) > TORN_STALE_MS) unlinkQuietly(file)
    } else if (isStale(holder)) {
      removeIfUnchanged(file, holder)
      continue
    } else {
      if (Date.now() - startedAt > maxWaitMs) throw syncLocked(holder, maxWaitMs)
      if (!told) options.onWait?.(holder)
      told = true
    }
    await sleep(delay, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {})
    delay = Math.min(MAX_RETRY_MS, Math.round(delay * 1.5))
  }
}

/** The lock file of a connection's syncs: beside the database, named by a hash (ids are free text). */
export function syncLockFile(dbFile: string, connectionId: string): string {
  return `${dbFile}.sync-${createHash('sha256').update(connectionId).digest('hex').slice(0, 16)}.lock`
}

/** The holder written in the file; 'gone' if it vanished meanwhile; 'torn' if unreadable. */
function readHolder(file: string): SyncLockHolder | 'gone' | 'torn' {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return 'gone'
  }
  try {
    const h = JSON.parse(text) as Partial<SyncLockHolder>
    return typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.since === 'string'
      ? { pid: h.pid, host: h.host, since: h.since }
      : 'torn'
  } catch {
    return 'torn'
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs
  } catch {
    return 0
  }
}

function isStale(holder: SyncLockHolder): boolean {
  // Another machine sharing the folder: its pid means nothing here; wait for it (up to maxWaitMs).
  if (holder.host !== hostname()) return false
  if (holder.pid === process.pid) return true
  try {
    process.kill(holder.pid, 0)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/** Removes a stale lock, unless another process replaced it meanwhile. */
function removeIfUnchanged(file: string, seen: SyncLockHolder): void {
  const now = readHolder(file)
  if (typeof now === 'object' && now.pid === seen.pid && now.since === seen.since) unlinkQuietly(file)
}

function release(file: string, body: string): void {
  try {
    if (readFileSync(file, 'utf8') === body) unlinkSync(file)
  } catch {
    // Already gone: nothing to release.
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file)
  } catch {
    // Another waiter removed it first.
  }
}

function syncLocked(holder: SyncLockHolder, waitedMs: number): AppError {
  const minutes = Math.round(waitedMs / 60_000)
  return new AppError(
    'cache.sync_locked',
    {
      en: `Another sync of this connection (process ${holder.pid} on ${holder.host}, since ${holder.since}) did not finish within ${minutes} min; this one gave up. If that process is hung, stop it and sync again.`,
      zh: `该连接的另一个同步（${holder.host} 上的进程 ${holder.pid}，开始于 ${holder.since}）在 ${minutes} 分钟内未结束，本次同步已放弃。如该进程已卡住，请结束它后重新同步。`,
    },
    { holder, waitedMs },
  )
}
