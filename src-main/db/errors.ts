import { AppError } from '../errors/app-error.js'

/**
 * SQLite's "another connection holds the lock" failures (SQLITE_BUSY, SQLITE_LOCKED and their
 * extended codes) as a clear AppError; anything else is not a lock error (null). The original
 * error is kept as `cause`, for the log only.
 */
export function lockError(e: unknown): AppError | null {
  const code = (e as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !/^SQLITE_(BUSY|LOCKED)/.test(code)) return null
  return new AppError(
    'db.busy',
    {
      en: 'The app database stayed locked by another process (the window, the web host, or another zsdr command) for too long; nothing was changed. Try again when it has finished.',
      zh: '应用数据库被另一个进程（窗口、网页服务或另一个 zsdr 命令）锁定过久，未做任何更改。请在其完成后重试。',
    },
    { sqliteCode: code },
    { cause: e },
  )
}
