import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Vitest global setup: every temp file and folder the tests and their servers make (sshd, the
 * keychain, host folders, laptop folders) goes under one folder of this run, removed when the run
 * ends. Many tests make a folder per case and leave it (a restore's evidence is the point of them):
 * without this, each run left hundreds in /tmp (28,000 after a day of runs here).
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'zsdr-tests-'))
  // The sshd test user must reach the host folders the tests make in it.
  chmodSync(root, 0o755)
  process.env.TMPDIR = root
  return () => rmSync(root, { recursive: true, force: true })
}
