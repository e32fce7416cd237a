import { AppError } from '../../errors/app-error.js'
import type { DumpSummary } from './dump-scanner.js'
import type { MysqlClient } from './mysql-client.js'
import { ident } from './shell.js'

/**
 * A `zstack-ctl dump_mysql` backup has no stored routines or events (it dumps without `--routines
 * --events`), so restoring it would silently drop those the live schema had. Each routine or event the
 * safety dump holds and the restored backup lacks is re-created from the safety dump. Returns them as
 * `PROCEDURE zstack.name`.
 */
export async function recreateMissingRoutines(
  mysql: MysqlClient,
  before: DumpSummary,
  restored: DumpSummary,
  databases: readonly string[],
): Promise<{ recreated: string[]; failed: { routine: string; error: string }[] }> {
  const recreated: string[] = []
  const failed: { routine: string; error: string }[] = []
  for (const database of databases) {
    const inBackup = restored.databases[database]?.routines ?? []
    for (const routine of before.databases[database]?.routines ?? []) {
      if (inBackup.some((r) => r.type === routine.type && r.name === routine.name)) continue
      const name = `${routine.type} ${database}.${routine.name}`
      // One that cannot be re-created does not undo a verified restore: it is reported instead.
      await mysql.query(`USE ${ident(database)};\n${routine.script}`).then(
        () => recreated.push(name),
        (e: unknown) => failed.push({ routine: name, error: e instanceof AppError ? e.text.en : String(e) }),
      )
    }
  }
  return { recreated, failed }
}
