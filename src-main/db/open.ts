import { dirname } from 'node:path'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { ensurePrivateDir, ensurePrivateFile } from '../util/private-files.js'
import { type Migration, migrate } from './migrate.js'
import { migrations as appMigrations } from './migrations/index.js'

export type { Database }

/** How long a statement waits for another connection's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000

/** Opens (creating if needed) the app's SQLite file and brings its schema up to date. */
export function openDatabase(file: string, migrations: readonly Migration[] = appMigrations): Database {
  if (file !== ':memory:') {
    ensurePrivateDir(dirname(file))
    ensurePrivateFile(file)
  }
  const db = new BetterSqlite3(file)
  try {
    // First, so that switching to WAL and migrating wait for another process instead of failing.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    migrate(db, migrations)
    return db
  } catch (e) {
    db.close()
    throw e
  }
}
