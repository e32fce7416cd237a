import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase, schemaVersion } from '../../../src-main/db/index.js'
import { migrations } from '../../../src-main/db/migrations/index.js'
import { makeTempDir } from '../../harness/temp.js'

/** Several processes (window, web host, CLI, cron) opening a data folder that has no database yet. */
const CHILD = fileURLToPath(new URL('./open-db-child.ts', import.meta.url))
const dir = makeTempDir('db-race')
afterAll(() => dir.remove())

interface Child {
  proc: ChildProcessWithoutNullStreams
  out: string
  line(text: string): Promise<void>
  exited: Promise<number | null>
}

function child(file: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, file])
  const c: Child = {
    proc,
    out: '',
    line: (text) =>
      new Promise((resolve, reject) => {
        const check = () => c.out.includes(text) && resolve()
        proc.stdout.on('data', check)
        proc.once('exit', () => (c.out.includes(text) ? resolve() : reject(new Error(c.out))))
        check()
      }),
    exited: new Promise((resolve) => proc.once('exit', resolve)),
  }
  proc.stdout.on('data', (d) => {
    c.out += d
  })
  return c
}

describe('concurrent first opens of one data folder', () => {
  it('four processes opening a new database at the same moment all succeed, migrated once', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const file = join(dir.path, `trial-${trial}`, 'zsdr.sqlite')
      const children = Array.from({ length: 4 }, () => child(file))
      await Promise.all(children.map((c) => c.line('ready')))
      // All four are loaded and waiting: release them together.
      for (const c of children) c.proc.stdin.write('go\n')
      const codes = await Promise.all(children.map((c) => c.exited))
      expect(
        children.map((c) => c.out.trim().split('\n').at(-1)),
        `trial ${trial}`,
      ).toEqual(['ok', 'ok', 'ok', 'ok'])
      expect(codes).toEqual([0, 0, 0, 0])
      const db = openDatabase(file)
      expect(schemaVersion(db)).toBe(migrations.at(-1)!.version)
      db.close()
    }
  }, 60_000)
})
