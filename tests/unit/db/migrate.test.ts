import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { type Migration, migrate, openDatabase, schemaVersion } from '../../../src-main/db/index.js'
import { migrations } from '../../../src-main/db/migrations/index.js'
import { makeTempDir } from '../../harness/temp.js'

const dirs: Array<{ remove(): void }> = []
function tempFile(): string {
  const dir = makeTempDir('db')
  dirs.push(dir)
  return join(dir.path, 'test.sqlite')
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove()
})

const step = (version: number, sql: string): Migration => ({
  version,
  name: `m${version}`,
  up: (db) => db.exec(sql),
})

describe('database', () => {
  it('opens with WAL and foreign keys, at the latest schema version', () => {
    const db = openDatabase(tempFile())
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version)
    db.close()
  })

  it('applies migrations once, in order', () => {
    const file = tempFile()
    const list = [
      step(1, 'CREATE TABLE a (x)'),
      step(2, 'CREATE TABLE b (y)'),
      step(3, 'INSERT INTO a VALUES (1)'),
    ]
    const db = openDatabase(file, list)
    expect(schemaVersion(db)).toBe(3)
    db.close()
    const again = openDatabase(file, list)
    expect(again.prepare('SELECT count(*) AS n FROM a').get()).toEqual({ n: 1 })
    expect(migrate(again, list)).toEqual({ from: 3, to: 3 })
    again.close()
  })

  it('a failing migration leaves the previous version intact', () => {
    const file = tempFile()
    openDatabase(file, [step(1, 'CREATE TABLE a (x)')]).close()
    const broken = [step(1, 'CREATE TABLE a (x)'), step(2, 'CREATE TABLE b (y)'), step(3, 'THIS IS NOT SQL')]
    expect(() => openDatabase(file, broken)).toThrow()
    const db = new BetterSqlite3(file)
    expect(schemaVersion(db)).toBe(1)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined()
    db.close()
  })

  it('refuses a database written by a newer version, with a clear message', () => {
    const file = tempFile()
    const raw = new BetterSqlite3(file)
    raw.pragma('user_version = 999')
    raw.close()
    expect(() => openDatabase(file)).toThrow(/newer version of ZStack DR Desk/)
    try {
      openDatabase(file)
    } catch (e) {
      expect((e as { code: string }).code).toBe('db.too_new')
      expect((e as { text: { zh: string } }).text.zh).toContain('更新版本')
    }
  })

  it('rejects a migration list that is out of order', () => {
    const db = new BetterSqlite3(':memory:')
    expect(() => migrate(db, [step(2, 'SELECT 1'), step(1, 'SELECT 1')])).toThrow(/out of order/)
    db.close()
  })
})
