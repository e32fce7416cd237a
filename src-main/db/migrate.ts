import type { Database } from 'better-sqlite3'
import { AppError } from '../errors/app-error.js'

/**
 * A numbered schema step. Versions are strictly increasing; the highest applied one is kept in
 * `PRAGMA user_version`. Each service adds its tables as a new file in `migrations/`.
 */
export interface Migration {
  version: number
  name: string
  up(db: Database): void
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Applies every pending migration in one transaction: either all of them land and
 * `user_version` moves to the last, or none does and the database stays as it was.
 * Several processes may open a new data folder at once (window, web host, CLI, cron): the
 * transaction takes the write lock first (IMMEDIATE) and reads `user_version` under it, so the
 * first one migrates and the others, waiting on the lock, find nothing left to do.
 */
export function migrate(db: Database, migrations: readonly Migration[]): { from: number; to: number } {
  assertOrdered(migrations)
  const latest = migrations.at(-1)?.version ?? 0
  const from = schemaVersion(db)
  assertNotNewer(from, latest)
  if (from === latest) return { from, to: from }
  return db
    .transaction(() => {
      const current = schemaVersion(db)
      assertNotNewer(current, latest)
      for (const m of migrations) if (m.version > current) m.up(db)
      if (current !== latest) db.pragma(`user_version = ${latest}`)
      return { from: current, to: latest }
    })
    .immediate()
}

function assertNotNewer(found: number, latest: number): void {
  if (found <= latest) return
  throw new AppError(
    'db.too_new',
    {
      en: `This database was written by a newer version of ZStack DR Desk (schema ${found}, this version knows up to ${latest}). Update the app, or move the database aside to start fresh.`,
      zh: `该数据库由更新版本的 ZStack DR Desk 写入（架构版本 ${found}，当前版本最高支持 ${latest}）。请升级应用，或将数据库移走后重新开始。`,
    },
    { found, supported: latest },
  )
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const prev = migrations[i - 1]
    if (!Number.isInteger(m.version) || m.version < 1 || (prev && m.version <= prev.version)) {
      throw new Error(`migrations out of order at ${m.version} (${m.name})`)
    }
  })
}
