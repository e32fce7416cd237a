import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { type FoundBackup, shellQuote } from './types.js'

/** `zstack-backup-db-2026-11-27_20-30-00.gz`: the name zstack-ctl dump_mysql gives, which carries the time. */
export const DUMP_NAME = /zstack-backup-db-(\d{4}-\d{2}-\d{2})_(\d{2})-(\d{2})-(\d{2})/

/**
 * `.gz` dump files in the given folders of a host (GNU find, as on every ZStack host). Missing
 * folders are simply empty: most hosts have only one of the two.
 */
export async function listDumpFiles(
  host: RemoteHost,
  dirs: readonly string[],
  signal?: AbortSignal,
): Promise<FoundBackup[]> {
  if (dirs.length === 0) return []
  const script = dirs
    .map(
      (d) => `find ${shellQuote(d)} -maxdepth 1 -type f -name '*.gz' -printf '%s\\t%T@\\t%p\\n' 2>/dev/null`,
    )
    .join('; ')
  const r = await host.run(`${script}; true`, signal ? { signal } : {})
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [size, mtime, ...path] = line.split('\t')
      const file = path.join('\t')
      if (!file || size === undefined || mtime === undefined) return []
      return [dumpBackup(file, Number(size), Number(mtime) * 1000)]
    })
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
