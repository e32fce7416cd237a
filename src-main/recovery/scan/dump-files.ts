import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { type FoundBackup, shellQuote } from './types.js'

const DUMP_TIME = String.raw`zstack-backup-db-(\d{4}-\d{2}-\d{2})_(\d{2})-(\d{2})-(\d{2})\.gz$`
/**
 * `zstack-backup-db-2026-11-27_20-30-00.gz`: the name zstack-ctl dump_mysql gives, which carries the
 * time. Only the whole name counts: a date somewhere inside another name is not the dump's time.
 */
export const DUMP_NAME = new RegExp(`^${DUMP_TIME}`)
/** The same name at the end of a fetched copy's file name, after the `<image id>-` a copy may carry. */
export const DUMP_NAME_IN_COPY = new RegExp(`(?:^|-)${DUMP_TIME}`)

/**
 * `.gz` dump files in the given folders of a host (GNU find, as on every ZStack host). Missing
 * folders are simply empty: most hosts have only one of the two. Records end in NUL, the one byte
 * a file name cannot hold, so a name with a newline or a tab stays one name and cannot forge an
 * entry; a record that is not a plain `<size> <mtime> <folder>/<name>` is dropped.
 */
export async function listDumpFiles(
  host: RemoteHost,
  dirs: readonly string[],
  signal?: AbortSignal,
): Promise<FoundBackup[]> {
  if (dirs.length === 0) return []
  const script = dirs
    .map(
      (d) => `find ${shellQuote(d)} -maxdepth 1 -type f -name '*.gz' -printf '%s\\t%T@\\t%p\\0' 2>/dev/null`,
    )
    .join('; ')
  const r = await host.run(`${script}; true`, signal ? { signal } : {})
  // The last piece is empty, or a record cut short by the output cap: never a whole record.
  return r.stdout
    .split('\0')
    .slice(0, -1)
    .flatMap((record) => {
      const parsed = parseFindRecord(record, dirs)
      return parsed ? [dumpBackup(parsed.path, parsed.size, parsed.mtimeMs)] : []
    })
}

function parseFindRecord(
  record: string,
  dirs: readonly string[],
): { path: string; size: number; mtimeMs: number } | null {
  const m = /^(\d+)\t(\d+(?:\.\d+)?)\t([\s\S]+)$/.exec(record)
  if (!m?.[1] || !m[2] || !m[3]) return null
  const path = m[3]
  const inListedDir = dirs.some((d) => {
    const prefix = d.endsWith('/') ? d : `${d}/`
    return path.startsWith(prefix) && path.length > prefix.length && !path.slice(prefix.length).includes('/')
  })
  return inListedDir ? { path, size: Number(m[1]), mtimeMs: Number(m[2]) * 1000 } : null
}

/** The same for folders on this machine, read with Node (works where `find -printf` does not). */
export async function listLocalDumpFiles(dirs: readonly string[]): Promise<FoundBackup[]> {
  const found: FoundBackup[] = []
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[])
    for (const name of names.filter((n) => n.endsWith('.gz')).sort()) {
      const info = await stat(join(dir, name)).catch(() => null)
      if (info?.isFile()) found.push(dumpBackup(join(dir, name), info.size, info.mtimeMs))
    }
  }
  return found
}

function dumpBackup(path: string, size: number, mtimeMs: number): FoundBackup {
  const name = path.split('/').pop() ?? path
  const m = DUMP_NAME.exec(name)
  return {
    kind: 'dump-file',
    location: path,
    name,
    // A dump does not say which ZStack wrote it; the restore step reads it from the schema.
    zstackVersion: null,
    createdAt: m ? `${m[1]}T${m[2]}:${m[3]}:${m[4]}` : new Date(mtimeMs).toISOString(),
    size: Number.isFinite(size) ? size : null,
  }
}
