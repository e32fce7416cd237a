import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MariaDb } from '../../harness/mariadb.js'

/** `CHECKSUM TABLE` of every base table in the three management databases: the ground truth of "same data". */
export async function checksums(db: MariaDb): Promise<Record<string, string>> {
  const tables = await db.sql(
    `SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN ('zstack', 'zstack_rest', 'zstack_ui') AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`,
  )
  const names = tables.split('\n').filter(Boolean)
  if (names.length === 0) return {}
  const out = await db.sql(
    `CHECKSUM TABLE ${names
      .map((n) =>
        n
          .split('.')
          .map((p) => `\`${p}\``)
          .join('.'),
      )
      .join(', ')}`,
  )
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string]),
  )
}

/** Typical damage: rows deleted and changed, a table dropped, a stray table added. */
export async function damage(db: MariaDb): Promise<void> {
  await db.sql(`SET FOREIGN_KEY_CHECKS=0;
    DELETE FROM zstack.VolumeEO WHERE uuid IS NOT NULL LIMIT 5;
    UPDATE zstack.ImageEO SET name = '损坏的镜像' LIMIT 3;
    DROP TABLE zstack.person;
    TRUNCATE zstack.HostEO;
    DELETE FROM zstack_ui.user_preference;
    CREATE TABLE zstack_rest.stray (id int);`)
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix))
}
