import { AppError } from '../../errors/app-error.js'
import type { DumpSummary } from './dump-scanner.js'
import { compareVersions, maxVersion } from './dump-scanner.js'
import { type MysqlClient, mysqlErrorNumber } from './mysql-client.js'
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
 * One round trip to the host whatever the number of tables (each is an SSH command and a `mysql`
 * start): one `UNION ALL` of row counts per database with Flyway's versions. Only when that fails
 * (a missing table: "doesn't exist") a second asks which tables are there, and the counts are asked
 * again for those. Count rows carry their index in our list, never a name from the backup, as their tag.
 */
export async function verifyAgainstDump(
  mysql: MysqlClient,
  summary: DumpSummary,
  databases: readonly string[],
  signal?: AbortSignal,
): Promise<Verification> {
  const options = signal ? { signal } : {}
  const expected = databases.flatMap((database) =>
    Object.entries(summary.databases[database]?.tables ?? {}).map(([table, rows]) => ({
      database,
      table,
      expected: rows,
    })),
  )
  let counted = expected
  let withVersion = databases.includes('zstack')
  const mismatches: TableMismatch[] = []
  let rows: string[][]
  try {
    rows = await countRows(mysql, counted, databases, withVersion, options)
  } catch (e) {
    // The server's error names the table, but the client prints the whole failed query before it
    // (cut to 500 characters in the error): any failure the server gave is asked again the slow way,
    // which reports a real one by itself.
    if (!(e instanceof AppError && e.code === 'restore.mysql_failed')) throw e
    const present = await presentTables(mysql, databases, options)
    const there = (c: { database: string; table: string }) => present.has(`${c.database}.${c.table}`)
    counted = expected.filter(there)
    for (const c of expected) if (!there(c)) mismatches.push({ ...c, actual: null })
    withVersion &&= present.has('zstack.schema_version')
    rows = await countRows(mysql, counted, databases, withVersion, options)
  }
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

/** Row counts of `counted` (tagged by index) and Flyway's versions, in one query; [] for nothing to ask. */
async function countRows(
  mysql: MysqlClient,
  counted: readonly { database: string; table: string }[],
  databases: readonly string[],
  withVersion: boolean,
  options: { signal?: AbortSignal },
): Promise<string[][]> {
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
  return statements.length > 0 ? await mysql.query(statements.join('\n'), options) : []
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
    const number = mysqlErrorNumber(e)
    if (number === 1146 || number === 1049) return null
    throw e
  }
}
