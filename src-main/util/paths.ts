import { homedir, platform } from 'node:os'
import { join } from 'node:path'

export const APP_DIR_NAME = 'zstack-dr-desk'

/**
 * Where the app keeps its database, known-hosts file, fetched backups and reports.
 * `ZSDR_HOME` overrides it (tests, portable use); Electron passes `app.getPath('userData')`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ZSDR_HOME) return env.ZSDR_HOME
  const home = homedir()
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME)
    case 'darwin':
      return join(home, 'Library', 'Application Support', APP_DIR_NAME)
    default:
      return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_DIR_NAME)
  }
}
