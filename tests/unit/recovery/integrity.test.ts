import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { verifyBackupFile } from '../../../src-main/recovery/integrity.js'

const dir = mkdtempSync(join(tmpdir(), 'zsdr-integrity-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sql = Buffer.concat([Buffer.from('-- MySQL dump\nCREATE TABLE t (x int);\n'), randomBytes(300_000)])
function gzFile(name: string, data: Buffer = gzipSync(sql)): string {
  const p = join(dir, name)
  writeFileSync(p, data)
  return p
}

describe('verifyBackupFile', () => {
  it('returns SHA-256, size and uncompressed size of a good file, across gzip members', async () => {
    const body = Buffer.concat([gzipSync(sql), gzipSync(Buffer.from('-- second member\n'))])
    const p = gzFile('good.gz', body)
    const r = await verifyBackupFile(p)
    expect(r).toEqual({
      sha256: createHash('sha256').update(readFileSync(p)).digest('hex'),
      size: body.length,
      uncompressedSize: sql.length + 17,
    })
  })

  it('fails a truncated file', async () => {
    const p = gzFile('truncated.gz')
    truncateSync(p, readFileSync(p).length - 100)
    await expect(verifyBackupFile(p)).rejects.toMatchObject({
      code: 'backup.integrity_failed',
      details: { problem: 'truncated' },
    })
  })

  it('fails a file with a flipped byte', async () => {
    const data = gzipSync(sql)
    const mid = Math.floor(data.length / 2)
    data[mid] = (data[mid] ?? 0) ^ 0xff
    await expect(verifyBackupFile(gzFile('flipped.gz', data))).rejects.toMatchObject({
      code: 'backup.integrity_failed',
      details: { problem: 'corrupt' },
    })
  })

  it('fails an empty file, a non-gzip file and a missing file with clear codes', async () => {
    await expect(verifyBackupFile(gzFile('empty.gz', Buffer.alloc(0)))).rejects.toMatchObject({
      details: { problem: 'truncated' },
    })
    await expect(verifyBackupFile(gzFile('plain.gz', Buffer.from('SELECT 1;\n')))).rejects.toMatchObject({
      details: { problem: 'not_gzip' },
    })
    await expect(verifyBackupFile(join(dir, 'nope.gz'))).rejects.toMatchObject({ code: 'backup.unreadable' })
  })

  it('stops when cancelled', async () => {
    const c = new AbortController()
    c.abort(new Error('stop'))
    await expect(verifyBackupFile(gzFile('c.gz'), c.signal)).rejects.toThrow('stop')
  })

  it('hands the same read to other readers: every SQL byte in order, compressed progress, their error as is', async () => {
    const p = gzFile('readers.gz')
    const seen: Buffer[] = []
    let progress: [number, number] = [0, 0]
    const r = await verifyBackupFile(p, undefined, {
      onSql: (chunk) => seen.push(Buffer.from(chunk)),
      onBytes: (done, total) => {
        progress = [done, total]
      },
    })
    expect(Buffer.concat(seen).equals(sql)).toBe(true)
    expect(progress).toEqual([r.size, r.size])
    const refusal = new Error('statement refused')
    await expect(
      verifyBackupFile(p, undefined, {
        onSql: () => {
          throw refusal
        },
      }),
    ).rejects.toBe(refusal)
  })
})
