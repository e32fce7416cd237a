import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh temp dir per test file, removed at the end (pass `keep` to look at it after a failure). */
export function makeTempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `zsdr-${prefix}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
