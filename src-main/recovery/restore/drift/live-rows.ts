import type { DriftResourceKind } from '../../../api/contract/restore-drift.js'
import { AppError } from '../../../errors/app-error.js'
import type { MysqlClient } from '../mysql-client.js'
import { MAX_TRACKED_ROWS } from './backup-rows.js'
import type { SqlValue } from './insert-values.js'
import { DRIFT_RESOURCES, type DriftResource } from './resources.js'

export interface LiveRows {
  rows: Map<DriftResourceKind, Record<string, SqlValue>[]>
  /** Kinds whose table (or a compared column) the live database lacks. */
  missing: { kind: DriftResourceKind; reason: string }[]
  /** The live server's clock (`NOW()`, its local time), to tell the backup's age. */
  now: string | null
}

const NULL_MARK = 'N'

/**
 * Reads the compared fields of every resource from the live `zstack` database: read-only SELECTs over
 * the existing SSH `mysql` path, two round trips (whether `zstack` exists comes with its columns).
 * Every value comes back as HEX (NULL as `N`), so no byte of a name (tab, newline, backslash) can
 * shift a column of the batch output. Null: the server has no `zstack` database.
 */
export async function readLiveRows(mysql: MysqlClient): Promise<LiveRows | null> {
  const tables = DRIFT_RESOURCES.map((r) => `'${r.table}'`).join(',')
  const present = await mysql.query(
    `SELECT 'schema', COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'zstack';
     SELECT 'column', TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'zstack' AND TABLE_NAME IN (${tables});`,
  )
  if (!present.some(([tag, count]) => tag === 'schema' && count === '1')) return null
  const columns = new Map<string, Set<string>>()
  for (const [tag, table, column] of present) {
    if (tag !== 'column' || !table || !column) continue
    if (!columns.has(table)) columns.set(table, new Set())
    columns.get(table)?.add(column)
  }
  const missing: LiveRows['missing'] = []
  const readable: DriftResource[] = []
  for (const r of DRIFT_RESOURCES) {
    const have = columns.get(r.table)
    const lacking = ['uuid', 'deleted', ...r.fields].filter((c) => !have?.has(c))
    if (!have) missing.push({ kind: r.kind, reason: `the live database has no table ${r.table}` })
    else if (lacking.length > 0)
      missing.push({ kind: r.kind, reason: `the live ${r.table} has no column ${lacking.join(', ')}` })
    else readable.push(r)
  }
  const statements = readable.map(
    (r, i) =>
      `SELECT ${i}, ${['uuid', ...r.fields].map((c) => `IFNULL(HEX(\`${c}\`), '${NULL_MARK}')`).join(', ')} FROM \`zstack\`.\`${r.table}\` WHERE \`deleted\` IS NULL;`,
  )
  const rows = new Map<DriftResourceKind, Record<string, SqlValue>[]>(readable.map((r) => [r.kind, []]))
  let now: string | null = null
  // Streamed: the answer of a large cloud is tens of MB, more than a collected output keeps.
  await mysql.eachRow(
    [`SELECT -1, DATE_FORMAT(NOW(), '%Y-%m-%d %H:%i:%s');`, ...statements].join('\n'),
    ([index, ...values]) => {
      const resource = readable[Number(index)]
      if (!resource) {
        now = index === '-1' ? (values[0] ?? null) : now
        return
      }
      const kept = rows.get(resource.kind) as Record<string, SqlValue>[]
      if (kept.length >= MAX_TRACKED_ROWS) throw tooManyRows(resource.table)
      const row: Record<string, SqlValue> = {}
      ;['uuid', ...resource.fields].forEach((c, i) => {
        row[c] = unhex(values[i])
      })
      kept.push(row)
    },
  )
  return { rows, missing, now }
}

function tooManyRows(table: string): AppError {
  return new AppError('restore.drift_too_many_rows', {
    en: `the live ${table} has more than ${MAX_TRACKED_ROWS} rows`,
    zh: `现有数据库的 ${table} 超过 ${MAX_TRACKED_ROWS} 行`,
  })
}

function unhex(value: string | undefined): SqlValue {
  if (value === undefined || value === NULL_MARK) return null
  return Buffer.from(value, 'hex').toString('utf8')
}
