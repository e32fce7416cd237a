import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { z } from 'zod'
import { appInfo } from '../../util/app-info.js'
import { type BackupInspection, inspectBackup } from './backup-file.js'
import { type BackupRows, type TableRows, takenAtFromName } from './drift/backup-rows.js'
import { BackupRowCollector, trackedTables } from './drift/index.js'

/** A backup's check and scan, with the rows the drift compares; `recalled` when it came from memory. */
export interface ScannedBackup {
  inspection: BackupInspection
  rows: BackupRows
  recalled: boolean
}

/** Results kept (the most recent); a large cloud's drift rows make an entry a few MB. */
const KEEP = 8

/**
 * The backup check and scan (`inspectBackup`), remembered in `dir` by the file's SHA-256 and size,
 * so a second plan or restore of the same file does not gunzip and parse it again: the file is only
 * hashed (its bytes are the ones that passed). A result is used only by the app version that made
 * it (the statement allow-list may change between versions). Safety does not rest on it: the loader
 * checks every statement again as it streams and stops at one a backup may not hold, and the
 * verification compares with what the loader saw.
 */
export async function scanBackup(
  file: string,
  dir: string,
  options: { signal?: AbortSignal; onBytes?: (done: number, total: number) => void } = {},
): Promise<ScannedBackup> {
  const fingerprint = await hashFile(file, options).catch(() => null)
  const entry = fingerprint ? join(dir, `${fingerprint.sha256}.json`) : null
  const recalled = entry && fingerprint ? await recall(entry, fingerprint, file) : null
  if (recalled) return { ...recalled, recalled: true }

  const collector = new BackupRowCollector(trackedTables())
  const inspection = await inspectBackup(file, { ...options, observers: [collector] })
  const rows = collector.result(file)
  await remember(dir, inspection, rows).catch(() => {})
  return { inspection, rows, recalled: false }
}

async function hashFile(
  file: string,
  options: { signal?: AbortSignal; onBytes?: (done: number, total: number) => void },
): Promise<{ sha256: string; size: number }> {
  const total = (await stat(file)).size
  const hash = createHash('sha256')
  let size = 0
  await pipeline(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        hash.update(chunk)
        size += chunk.length
        options.onBytes?.(size, total)
      }
    },
    options.signal ? { signal: options.signal } : {},
  )
  return { sha256: hash.digest('hex'), size }
}

const tableRows = z.union([
  z.object({ ok: z.literal(true), rows: z.array(z.record(z.string(), z.string().nullable())) }),
  z.object({ ok: z.literal(false), reason: z.string() }),
])

/** What an entry holds; anything else (an older format, a damaged file) is not used. */
const entrySchema = z.object({
  appVersion: z.string(),
  sha256: z.string(),
  size: z.number(),
  summary: z.object({
    databases: z.record(
      z.string(),
      z.object({
        tables: z.record(z.string(), z.number()),
        charset: z.string().nullable(),
        collation: z.string().nullable(),
        routines: z.array(z.object({ type: z.string(), name: z.string(), script: z.string() })),
        qualifiers: z.array(z.string()),
      }),
    ),
    schemaVersion: z.string().nullable(),
    uncompressedBytes: z.number(),
    totalRows: z.number(),
    statements: z.number(),
    refusals: z.array(z.object({ line: z.number(), excerpt: z.string(), reason: z.string() })),
    refusedCount: z.number(),
    definersRewritten: z.number(),
  }),
  driftTables: z.array(z.tuple([z.string(), tableRows])),
})

async function recall(
  entry: string,
  fingerprint: { sha256: string; size: number },
  file: string,
): Promise<Omit<ScannedBackup, 'recalled'> | null> {
  const text = await readFile(entry, 'utf8').catch(() => null)
  if (text === null) return null
  let parsed: z.infer<typeof entrySchema>
  try {
    parsed = entrySchema.parse(JSON.parse(text))
  } catch {
    return null
  }
  if (
    parsed.appVersion !== appInfo.version ||
    parsed.sha256 !== fingerprint.sha256 ||
    parsed.size !== fingerprint.size
  )
    return null
  return {
    inspection: { sha256: parsed.sha256, size: parsed.size, summary: parsed.summary },
    // The time comes from the file's name, which another copy of the same bytes may not share.
    rows: { tables: new Map<string, TableRows>(parsed.driftTables), takenAt: takenAtFromName(file) },
  }
}

/** Written whole (a temp file renamed), mode 600; the oldest entries beyond KEEP are removed. */
async function remember(dir: string, inspection: BackupInspection, rows: BackupRows): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const entry: z.infer<typeof entrySchema> = {
    appVersion: appInfo.version,
    sha256: inspection.sha256,
    size: inspection.size,
    summary: inspection.summary,
    driftTables: [...rows.tables],
  }
  const path = join(dir, `${inspection.sha256}.json`)
  await writeFile(`${path}.part`, JSON.stringify(entry), { mode: 0o600 })
  await rename(`${path}.part`, path)
  const entries = await Promise.all(
    (await readdir(dir))
      .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
      .map(async (f) => ({ f, mtime: (await stat(join(dir, f))).mtimeMs })),
  )
  entries.sort((a, b) => b.mtime - a.mtime)
  for (const { f } of entries.slice(KEEP)) await rm(join(dir, f), { force: true })
}
