import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'

/**
 * The data folder holds backups of the customer's management database, its known hosts and the
 * app's database: only the user who runs the app may read it. Modes are set when a file or folder
 * is created (so nothing is ever briefly readable); what an older version left wider is narrowed.
 */
export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** Creates `dir` (and missing parents) as 0700, and narrows it if it already exists wider. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  narrow(dir, PRIVATE_DIR_MODE)
}

/** Creates an empty `file` as 0600 if missing (SQLite then gives its -wal and -shm the same mode). */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE))
  narrow(file, PRIVATE_FILE_MODE)
}

function narrow(path: string, mode: number): void {
  if (process.platform !== 'win32' && (statSync(path).mode & 0o777 & ~mode) !== 0) chmodSync(path, mode)
}
