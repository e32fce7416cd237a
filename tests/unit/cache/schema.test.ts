import { describe, expect, it } from 'vitest'
import { RESOURCES } from '../../../src-main/cache/resources.js'
import { openDatabase } from '../../../src-main/db/index.js'

const columns = (db: ReturnType<typeof openDatabase>, table: string) =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string }[]).map((c) => [
    c.name,
    c.type,
  ])

describe('cache schema (migration 3) matches the resource spec', () => {
  it('every queryable field is a column of the right type, and text columns ignore case', () => {
    const db = openDatabase(':memory:')
    for (const spec of Object.values(RESOURCES)) {
      const expected = Object.entries(spec.fields).map(([f, t]) => [f, t === 'text' ? 'TEXT' : 'INTEGER'])
      expect(columns(db, spec.table), spec.table).toEqual([
        ['id', 'INTEGER'],
        ['snapshot_id', 'INTEGER'],
        ...expected,
      ])
      expect(columns(db, `${spec.table}_doc`)).toEqual([
        ['id', 'INTEGER'],
        ['doc', 'TEXT'],
      ])
      for (const nested of Object.values(spec.nested)) {
        const cols = new Map(columns(db, nested.table) as [string, string][])
        for (const [f, t] of Object.entries(nested.fields))
          expect(cols.get(f), `${nested.table}.${f}`).toBe(t === 'text' ? 'TEXT' : 'INTEGER')
        if (nested.linkedById) expect(cols.get('parent_id')).toBe('INTEGER')
      }
      const sql =
        (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(spec.table) as string) ?? ''
      for (const [f, t] of Object.entries(spec.fields)) {
        if (t === 'text')
          expect(sql, `${spec.table}.${f}`).toMatch(new RegExp(`\\n  ${f} TEXT (NOT NULL )?COLLATE NOCASE`))
      }
    }
    db.close()
  })

  it('has no column that could hold a secret', () => {
    const db = openDatabase(':memory:')
    const names = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'cache_%'")
        .pluck()
        .all() as string[]
    ).flatMap((t) => columns(db, t).map(([c]) => `${t}.${c}`))
    expect(names.filter((n) => /password|secret|session|token|credential/i.test(n))).toEqual([])
    db.close()
  })
})
