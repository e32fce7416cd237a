import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readLiveRows } from '../../../src-main/recovery/restore/drift/live-rows.js'
import { MysqlClient } from '../../../src-main/recovery/restore/mysql-client.js'
import { LocalHost } from '../../../src-main/ssh/local-host.js'
import { type MariaDb, startMariaDb } from '../../harness/mariadb.js'

/**
 * The live side of the drift on a database whose answer is larger than what a collected command
 * output keeps (16 MiB in `run-collect.ts`). The 100 MB benchmark dump's answer was, and the cut-off
 * rows showed up as "deleted after the backup" and the half-read last row as a changed install path.
 */
const ROWS = 9000
/** About 2 KB of HEX per row: 9000 rows give ~19 MB of answer. */
const PATH_CHARS = 1000

describe('readLiveRows on a large live database (real MariaDB)', () => {
  let db: MariaDb
  let mysql: MysqlClient

  beforeAll(async () => {
    db = await startMariaDb()
    await db.sql(
      `CREATE DATABASE zstack DEFAULT CHARACTER SET utf8;
       CREATE TABLE zstack.VolumeEO (uuid varchar(32) NOT NULL, name varchar(255), installPath varchar(1024),
         primaryStorageUuid varchar(32), state varchar(32), deleted varchar(255), PRIMARY KEY (uuid)
       ) DEFAULT CHARSET=utf8;
       USE zstack;
       INSERT INTO VolumeEO SELECT MD5(seq), CONCAT('卷-', seq),
         CONCAT('/zstack/ps1/', seq, '/', REPEAT('x', ${PATH_CHARS})), 'ps1', 'Enabled', NULL FROM seq_1_to_${ROWS};`,
    )
    mysql = await MysqlClient.open(
      new LocalHost(),
      { host: '127.0.0.1', port: db.port, socket: null },
      db.rootPassword,
    )
  }, 120_000)
  afterAll(async () => {
    await mysql?.close()
    await db?.stop()
  })

  it('reads every row whole however long the answer is', async () => {
    const live = await readLiveRows(mysql)
    if (!live) throw new Error('the zstack database was not found')
    const volumes = live.rows.get('volume') ?? []
    expect(volumes).toHaveLength(ROWS)
    const last = volumes.find((v) => v.name === `卷-${ROWS}`)
    expect(last?.installPath).toBe(`/zstack/ps1/${ROWS}/${'x'.repeat(PATH_CHARS)}`)
    expect(volumes.every((v) => v.state === 'Enabled' && v.primaryStorageUuid === 'ps1')).toBe(true)
    expect(live.now).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
  }, 60_000)

  it('fails with the server error when the SQL fails part way, keeping no half answer', async () => {
    const rows: string[][] = []
    await expect(
      mysql.eachRow('SELECT 1; SELECT nope FROM zstack.VolumeEO;', (r) => rows.push(r)),
    ).rejects.toMatchObject({ code: 'restore.mysql_failed' })
    expect(rows).toEqual([['1']])
  })

  it('stops the query and passes on the error when a row is refused', async () => {
    const refused = new Error('refused')
    let seen = 0
    await expect(
      mysql.eachRow('SELECT uuid FROM zstack.VolumeEO;', () => {
        seen++
        throw refused
      }),
    ).rejects.toBe(refused)
    expect(seen).toBe(1)
  })
})
