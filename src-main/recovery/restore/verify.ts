import { AppError } from '../../errors/app-error.js'
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
 * Two round trips to the host whatever the number of tables (each is an SSH command and a `mysql`
 * start): the tables present, then one `UNION ALL` of row counts per database with Flyway's versions.
 * Count rows carry their index in our list, never a name from the backup, as their tag.
 */
export async function verifyAgainstDump(
  mysql: MysqlClient,
  summary: DumpSummary,
  databases: readonly string[],
  signal?: AbortSignal,
): Promise<Verification> {
  const options = signal ? { signal } : {}
  const present = await presentTables(mysql, databases, options)
  const mismatches: TableMismatch[] = []
  const counted: { database: string; table: string; expected: number }[] = []
  for (const database of databases) {
    for (const [table, expected] of Object.entries(summary.databases[database]?.tables ?? {})) {
      if (present.has(`${database}.${table}`)) counted.push({ database, table, expected })
      else mismatches.push({ database, table, expected, actual: null })
    }
  }
  const withVersion = databases.includes('zstack') && present.has('zstack.schema_version')
  const statements = databases
    .map((database) =>
      counted
        .map((c, i) =>
          c.database === database ? `SELECT ${i}, COUNT(*) FROM ${ident(database)}.${ident(c.table)}` : '',
        )
        .filter(Boolean)
        .join(' UNION ALL '),
    )
    .filter(Boolean)
    .map((sql) => `${sql};`)
  if (withVersion)
    statements.push("SELECT 'v', version FROM zstack.schema_version WHERE version IS NOT NULL;")
  const rows = statements.length > 0 ? await mysql.query(statements.join('\n'), options) : []
  const versions: string[] = []
  let rowsExpected = 0
  let rowsFound = 0
  for (const [tag, value] of rows) {
    if (tag === 'v') {
      versions.push(value as string)
      continue
    }
    const c = counted[Number(tag)]
    if (!c) continue
    const got = Number(value)
    rowsExpected += c.expected
    rowsFound += got
    if (got !== c.expected) mismatches.push({ ...c, actual: got })
  }
  const actualVersion = withVersion ? maxVersion(versions) : null
  const expectedVersion = summary.schemaVersion
  const versionOk =
    !databases.includes('zstack') ||
    (expectedVersion === null
      ? actualVersion === null
      : actualVersion !== null && compareVersions(expectedVersion, actualVersion) === 0)
  return {
    ok: mismatches.length === 0 && versionOk,
    tablesChecked: counted.length,
    rowsExpected,
    rowsFound,
    mismatches,
    schemaVersion: { expected: expectedVersion, actual: actualVersion, ok: versionOk },
  }
}

/** `database.table` of every base table in `databases`, in one query. */
async function presentTables(
  mysql: MysqlClient,
  databases: readonly string[],
  options: { signal?: AbortSignal },
): Promise<Set<string>> {
  if (databases.length === 0) return new Set()
  const list = databases.map((d) => `'${d.replace(/'/g, "''")}'`).join(', ')
  const rows = await mysql.query(
    `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${list}) AND TABLE_TYPE = 'BASE TABLE';`,
    options,
  )
  return new Set(rows.map(([database, table]) => `${database}.${table}`))
}

/**
 * Highest Flyway version in the live `zstack.schema_version`, null when there is no such table (or
 * database): one round trip, the server's "doesn't exist" error (1146, 1049) being the answer "none".
 */
export async function liveSchemaVersion(mysql: MysqlClient): Promise<string | null> {
  try {
    const rows = await mysql.query('SELECT version FROM zstack.schema_version WHERE version IS NOT NULL;')
    return maxVersion(rows.map((r) => r[0] as string))
  } catch (e) {
    if (e instanceof AppError && /^ERROR (1146|1049) /m.test(String(e.details?.stderr ?? ''))) return null
    throw e
  }
}
