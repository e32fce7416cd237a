import type { DumpSummary } from './dump-scanner.js'
import { compareVersions, maxVersion } from './dump-scanner.js'
import type { MysqlClient } from './mysql-client.js'
import { ident } from './shell.js'

export interface TableMismatch {
  database: string
  table: string
  expected: number
  /** null: the table does not exist. */
  actual: number | null
}

export interface Verification {
  ok: boolean
  tablesChecked: number
  rowsExpected: number
  rowsFound: number
  mismatches: TableMismatch[]
  schemaVersion: { expected: string | null; actual: string | null; ok: boolean }
}

/**
 * Checks the live databases against what a dump held: every table it creates exists and holds exactly
 * as many rows as its INSERTs added, and Flyway's highest version in `zstack.schema_version` matches.
 */
export async function verifyAgainstDump(
  mysql: MysqlClient,
  summary: DumpSummary,
  databases: readonly string[],
  signal?: AbortSignal,
): Promise<Verification> {
  const mismatches: TableMismatch[] = []
  let tablesChecked = 0
  let rowsExpected = 0
  let rowsFound = 0
  for (const database of databases) {
    const expected = summary.databases[database]?.tables ?? {}
    const present = new Set(
      (
        await mysql.query(
          `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${database.replace(/'/g, "''")}' AND TABLE_TYPE = 'BASE TABLE';`,
          signal ? { signal } : {},
        )
      ).map((r) => r[0]),
    )
    const existing = Object.keys(expected).filter((t) => present.has(t))
    for (const table of Object.keys(expected).filter((t) => !present.has(t))) {
      mismatches.push({ database, table, expected: expected[table] ?? 0, actual: null })
    }
    const counts = existing.length
      ? await mysql.query(
          existing
            .map((t) => `SELECT '${t.replace(/'/g, "''")}', COUNT(*) FROM ${ident(database)}.${ident(t)};`)
            .join('\n'),
          signal ? { signal } : {},
        )
      : []
    for (const [table, count] of counts) {
      const want = expected[table as string] ?? 0
      const got = Number(count)
      tablesChecked++
      rowsExpected += want
      rowsFound += got
      if (got !== want) mismatches.push({ database, table: table as string, expected: want, actual: got })
    }
  }
  const actualVersion = databases.includes('zstack') ? await liveSchemaVersion(mysql) : null
  const expectedVersion = summary.schemaVersion
  const versionOk =
    !databases.includes('zstack') ||
    (expectedVersion === null
      ? actualVersion === null
      : actualVersion !== null && compareVersions(expectedVersion, actualVersion) === 0)
  return {
    ok: mismatches.length === 0 && versionOk,
    tablesChecked,
    rowsExpected,
    rowsFound,
    mismatches,
    schemaVersion: { expected: expectedVersion, actual: actualVersion, ok: versionOk },
  }
}

/** Highest Flyway version in the live `zstack.schema_version`, null when there is no such table. */
export async function liveSchemaVersion(mysql: MysqlClient): Promise<string | null> {
  const exists = await mysql.query(
    "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'zstack' AND TABLE_NAME = 'schema_version';",
  )
  if (exists[0]?.[0] !== '1') return null
  const rows = await mysql.query('SELECT version FROM zstack.schema_version WHERE version IS NOT NULL;')
  return maxVersion(rows.map((r) => r[0] as string))
}
