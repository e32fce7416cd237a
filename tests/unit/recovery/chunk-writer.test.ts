import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChunkWriter } from '../../../src-main/recovery/fetch/chunk-writer.js'

const CHUNK = 128 * 1024
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zsdr-chunk-writer-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** Puts the chunks of `data` (from `start`) in the given order; returns the writer and the progress seen. */
async function writeInOrder(data: Buffer, order: number[], start = 0) {
  const file = await open(join(dir, 'copy'), 'w+')
  const progress: number[] = []
  const writer = new ChunkWriter(file, data.length, start, CHUNK, (w) => progress.push(w))
  for (const i of order) {
    const offset = start + i * CHUNK
    const buf = writer.take()
    const length = data.copy(buf, 0, offset, Math.min(offset + CHUNK, data.length))
    await writer.put(offset, buf, length)
  }
  await writer.finish()
  await file.close()
  return { writer, progress }
}

describe('ChunkWriter: chunks out of order, file written front to back', () => {
  it('writes every byte where it belongs, whatever order the chunks arrive in', async () => {
    const data = randomBytes(20 * CHUNK + 1234)
    const order = Array.from({ length: 21 }, (_, i) => i).reverse()
    const { writer, progress } = await writeInOrder(data, order)
    expect(readFileSync(join(dir, 'copy')).equals(data)).toBe(true)
    expect(writer.written).toBe(data.length)
    // Progress only ever grows, and ends at the whole file.
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(progress.at(-1)).toBe(data.length)
  })

  it('counts as written only the unbroken prefix: a missing chunk holds back everything after it', async () => {
    const data = randomBytes(24 * CHUNK)
    const file = await open(join(dir, 'copy'), 'w+')
    const writer = new ChunkWriter(file, data.length, 0, CHUNK, () => {})
    for (let i = 0; i < 24; i++) {
      if (i === 3) continue
      const buf = writer.take()
      data.copy(buf, 0, i * CHUNK, (i + 1) * CHUNK)
      await writer.put(i * CHUNK, buf, CHUNK)
    }
    await writer.finish()
    await file.close()
    expect(writer.written).toBe(0)
    expect(readFileSync(join(dir, 'copy')).length).toBe(0)
  })

  it('resumes after an existing prefix: the first run starts where the prefix ends', async () => {
    const data = randomBytes(10 * CHUNK)
    const { writer, progress } = await writeInOrder(data, [5, 4, 3, 2, 1, 0], 4 * CHUNK)
    expect(writer.written).toBe(10 * CHUNK)
    expect(progress).toEqual([10 * CHUNK])
    expect(
      readFileSync(join(dir, 'copy'))
        .subarray(4 * CHUNK)
        .equals(data.subarray(4 * CHUNK)),
    ).toBe(true)
  })

  it('a failed write is reported, and nothing after it counts as written', async () => {
    const data = randomBytes(16 * CHUNK)
    const file = await open(join(dir, 'copy'), 'w+')
    const writer = new ChunkWriter(file, data.length, 0, CHUNK, () => {})
    await file.close() // every write now fails (EBADF)
    let error: unknown = null
    for (let i = 0; i < 16 && error === null; i++) {
      const buf = writer.take()
      data.copy(buf, 0, i * CHUNK, (i + 1) * CHUNK)
      await writer.put(i * CHUNK, buf, CHUNK).catch((e: unknown) => {
        error = e
      })
    }
    await writer.finish().catch((e: unknown) => {
      error ??= e
    })
    expect((error as NodeJS.ErrnoException | null)?.code).toBe('EBADF')
    expect(writer.written).toBe(0)
  })

  it('a disk that fills up mid-run: the failure surfaces and `written` covers only what is on disk (a real 1.6 MiB tmpfs: the second 1 MiB run only half fits)', async (ctx) => {
    const small = mkdtempSync(join(tmpdir(), 'zsdr-chunk-writer-full-'))
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1600k', 'tmpfs', small], { stdio: 'pipe' })
    } catch (e) {
      rmSync(small, { recursive: true, force: true })
      ctx.skip(`cannot mount a small tmpfs here (needs root): ${(e as Error).message.split('\n')[0]}`)
      return
    }
    try {
      const data = randomBytes(24 * CHUNK)
      const file = await open(join(small, 'copy'), 'w+')
      const writer = new ChunkWriter(file, data.length, 0, CHUNK, () => {})
      const failed = await (async () => {
        for (let i = 0; i < 24; i++) {
          const buf = writer.take()
          const length = data.copy(buf, 0, i * CHUNK, (i + 1) * CHUNK)
          await writer.put(i * CHUNK, buf, length)
        }
        await writer.finish()
      })().then(
        () => null,
        (e: unknown) => e,
      )
      await file.close()
      expect(failed).toBeInstanceOf(Error)
      // Every byte counted as written is on disk, and equal to the source.
      const onDisk = readFileSync(join(small, 'copy'))
      expect(writer.written).toBeLessThanOrEqual(onDisk.length)
      expect(onDisk.subarray(0, writer.written).equals(data.subarray(0, writer.written))).toBe(true)
    } finally {
      execFileSync('umount', [small])
      rmSync(small, { recursive: true, force: true })
    }
  })
})
