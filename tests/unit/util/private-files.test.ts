import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src-main/db/open.js'
import { makeTempDir } from '../../harness/temp.js'

const temp = makeTempDir('private-files')
afterAll(() => temp.remove())
const mode = (path: string) => statSync(path).mode & 0o777

describe('data folder and database modes', () => {
  it('creates the folder 0700 and zsdr.sqlite with its -wal and -shm 0600, even under a lax umask', () => {
    const previous = process.umask(0)
    try {
      const dir = join(temp.path, 'fresh', 'data')
      const db = openDatabase(join(dir, 'zsdr.sqlite'))
      db.prepare('CREATE TABLE t (x)').run()
      expect(mode(dir)).toBe(0o700)
      expect(mode(join(temp.path, 'fresh'))).toBe(0o700)
      for (const suffix of ['', '-wal', '-shm'])
        expect(mode(join(dir, `zsdr.sqlite${suffix}`)), suffix).toBe(0o600)
      db.close()
    } finally {
      process.umask(previous)
    }
  })

  it('narrows a folder and database an older version left readable to others', () => {
    const dir = join(temp.path, 'old')
    mkdirSync(dir, { mode: 0o755 })
    chmodSync(dir, 0o755)
    writeFileSync(join(dir, 'zsdr.sqlite'), '', { mode: 0o644 })
    chmodSync(join(dir, 'zsdr.sqlite'), 0o644)
    openDatabase(join(dir, 'zsdr.sqlite')).close()
    expect(mode(dir)).toBe(0o700)
    expect(mode(join(dir, 'zsdr.sqlite'))).toBe(0o600)
  })
})
