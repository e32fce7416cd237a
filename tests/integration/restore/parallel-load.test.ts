import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src-main/errors/app-error.js'
import { DumpScanner, type DumpSummary } from '../../../src-main/recovery/restore/dump-scanner.js'
import { MysqlClient } from '../../../src-main/recovery/restore/mysql-client.js'
import { MAX_TABLE_SESSIONS, streamRestore } from '../../../src-main/recovery/restore/stream-restore.js'
import { verifyAgainstDump } from '../../../src-main/recovery/restore/verify.js'
import type { RemoteHost } from '../../../src-main/ssh/remote-host.js'
import { startLinkEmulator } from '../../harness/link-emulator.js'
import { type MariaDb, startMariaDb } from '../../harness/mariadb.js'
import { type Sshd, startSshd } from '../../harness/sshd.js'
import { pidsWithArgs, sshdConnector, tempDir } from './helpers.js'

/**
 * The restore loads a database's tables over several MySQL sessions at once, and its views,
 * routines and events after them (`load-router.ts`). Whatever ran where, the result must be the
 * database that was dumped: every table (foreign keys in a cycle), every row, views over views,
 * triggers that must not fire during the load, routines and an event with their own sql_mode.
 * The dump is real mysqldump output (as our safety dump takes it), loaded through a real sshd.
 */
const TABLES = 30
/** About 16 MB of rows in one table. */
const BULK_ROWS = 16_000

/** A schema no loader order can satisfy without foreign-key checks off: each table points at the next. */
function sourceSchema(): string {
  const tables = Array.from({ length: TABLES }, (_, i) => {
    const next = `T${String((i + 1) % TABLES).padStart(2, '0')}`
    const name = `T${String(i).padStart(2, '0')}`
    const rows = Array.from(
      { length: 40 },
      (_, r) => `(${r + 1}, ${((r + 7) % 40) + 1}, '名称-${i}-${r} ''quoted'' ; -- not a comment')`,
    )
    return `CREATE TABLE ${name} (id int PRIMARY KEY, parent int, note varchar(64),
        CONSTRAINT fk_${name} FOREIGN KEY (parent) REFERENCES ${next} (id) ON DELETE CASCADE) ENGINE=InnoDB;
      INSERT INTO ${name} VALUES ${rows.join(',')};`
  })
  return `SET FOREIGN_KEY_CHECKS=0;
    CREATE DATABASE zstack CHARACTER SET utf8mb4; USE zstack;
    ${tables.join('\n')}
    CREATE TABLE audit (id int AUTO_INCREMENT PRIMARY KEY, what varchar(64)) ENGINE=InnoDB;
    INSERT INTO audit (what) VALUES ('dumped');
    CREATE TRIGGER t05_ins AFTER INSERT ON T05 FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('T05 ', NEW.id));
    SET SESSION sql_mode = '';
    CREATE TRIGGER t06_ins BEFORE INSERT ON T06 FOR EACH ROW SET NEW.note = CONCAT(NEW.note, '!');
    SET SESSION sql_mode = 'STRICT_TRANS_TABLES';
    CREATE VIEW v1 AS SELECT a.id, a.note, b.note AS next_note FROM T01 a JOIN T02 b ON a.parent = b.id;
    CREATE VIEW v2 AS SELECT id, next_note FROM v1 WHERE id < 10;
    CREATE PROCEDURE p() SELECT COUNT(*) FROM v2;
    CREATE FUNCTION f(x int) RETURNS int DETERMINISTIC RETURN x + (SELECT COUNT(*) FROM audit);
    CREATE EVENT e ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM audit;
    -- Last in the dump, and big: its session is still busy when the next database starts.
    CREATE TABLE ZZ_bulk (id int PRIMARY KEY, body text) ENGINE=InnoDB;
    INSERT INTO ZZ_bulk SELECT seq, REPEAT(CONCAT('行', seq), 100) FROM seq_1_to_${BULK_ROWS};
    -- After the big one, in another session: its id 0 stays 0 only with the dump's sql_mode
    -- (NO_AUTO_VALUE_ON_ZERO), which a session reconnected by the mysql client would not have.
    CREATE TABLE ZZZ_zero (id int AUTO_INCREMENT PRIMARY KEY, what varchar(8)) ENGINE=InnoDB;
    SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO';
    INSERT INTO ZZZ_zero VALUES (0, 'zero'), (1, 'one');
    CREATE DATABASE zstack_ui CHARACTER SET utf8mb4;
    CREATE TABLE zstack_ui.operation_log (id int PRIMARY KEY, what varchar(64)) ENGINE=InnoDB;
    INSERT INTO zstack_ui.operation_log VALUES (1, '登录');
    SET FOREIGN_KEY_CHECKS=1;`
}

/** What the preflight's scan of a dump finds (it tells the load how many tables come). */
function scan(file: string): DumpSummary {
  const scanner = new DumpScanner({ definerHost: 'localhost', trust: 'own-safety-dump' })
  scanner.push(gunzipSync(readFileSync(file)))
  scanner.end()
  return scanner.summary()
}

/** Everything that makes the database what it is, as the server describes it. */
async function describeDatabase(db: MariaDb): Promise<Record<string, string>> {
  const tables = (
    await db.sql(
      "SELECT CONCAT(TABLE_SCHEMA, '.`', TABLE_NAME, '`') FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ('zstack', 'zstack_ui') AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1",
    )
  )
    .split('\n')
    .filter(Boolean)
  const where = "WHERE %s IN ('zstack', 'zstack_ui') ORDER BY 1"
  return {
    tables: await db.sql(tables.map((t) => `SHOW CREATE TABLE ${t};`).join('\n')),
    rows: await db.sql(`CHECKSUM TABLE ${tables.join(', ')}`),
    views: await db.sql(
      `SELECT TABLE_NAME, VIEW_DEFINITION, CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DEFINER, SECURITY_TYPE
         FROM information_schema.VIEWS ${where.replace('%s', 'TABLE_SCHEMA')}`,
    ),
    triggers: await db.sql(
      `SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_TIMING, ACTION_STATEMENT, SQL_MODE,
              CHARACTER_SET_CLIENT, DEFINER FROM information_schema.TRIGGERS ${where.replace('%s', 'TRIGGER_SCHEMA')}`,
    ),
    routines: await db.sql(
      `SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION, SQL_MODE, IS_DETERMINISTIC, DEFINER
         FROM information_schema.ROUTINES ${where.replace('%s', 'ROUTINE_SCHEMA')}`,
    ),
    events: await db.sql(
      `SELECT EVENT_NAME, EVENT_DEFINITION, STATUS, SQL_MODE, INTERVAL_VALUE, INTERVAL_FIELD, DEFINER
         FROM information_schema.EVENTS ${where.replace('%s', 'EVENT_SCHEMA')}`,
    ),
  }
}

describe('loading a database over several sessions (real MariaDB and sshd)', () => {
  let db: MariaDb
  let sshd: Sshd
  let limited: Sshd
  let dump: string
  let original: Record<string, string>

  beforeAll(async () => {
    ;[db, sshd, limited] = await Promise.all([
      startMariaDb(),
      startSshd(),
      // A hardened host: one channel per connection (sshd's MaxSessions), so one session at a time.
      startSshd({ extraConfig: 'MaxSessions 1' }),
    ])
    await db.sql(sourceSchema(), { sqlMode: 'STRICT_TRANS_TABLES' })
    original = await describeDatabase(db)
    dump = join(tempDir('zsdr-parallel-load-'), 'safety.gz')
    // As our safety dump takes it (safety-dump.ts): with routines, events and triggers.
    execFileSync('bash', [
      '-o',
      'pipefail',
      '-c',
      `mysqldump --no-defaults -uroot --socket='${db.socket}' --databases --single-transaction --quick --routines --events --triggers zstack zstack_ui | gzip > '${dump}'`,
    ])
  }, 180_000)
  afterAll(async () => {
    await Promise.all([db?.stop(), sshd?.stop(), limited?.stop()])
  })

  /** MySQL's root on the test server, through `host` (as the restore logs in). */
  function rootLogin(host: RemoteHost): Promise<MysqlClient> {
    return MysqlClient.open(host, { host: '127.0.0.1', port: db.port, socket: null }, db.rootPassword)
  }

  /** Damages the databases it restores (drops them, leaves a stray zstack), then restores them from `file`. */
  async function restoreThrough(
    server: Sshd,
    options: {
      file?: string
      expected?: DumpSummary
      databases?: string[]
      port?: number
      /** The databases are not there at all (a new node), not a stray zstack. */
      absent?: boolean
    } = {},
  ): Promise<{ sessions: number[]; drops: string[]; refused: number }> {
    const { file = dump, expected, databases = ['zstack', 'zstack_ui'], port, absent = false } = options
    const stray = absent ? '' : ' CREATE DATABASE zstack; CREATE TABLE zstack.stray (id int);'
    await db.sql(`${databases.map((d) => `DROP DATABASE ${d};`).join(' ')}${stray}`)
    const ssh = await sshdConnector(server, port)()
    let refused = 0
    const host: RemoteHost = {
      ...ssh,
      exec: (command, options) =>
        ssh.exec(command, options).catch((e: unknown) => {
          if (e instanceof AppError && e.code === 'ssh.channel_refused') refused++
          throw e
        }),
      run: (command, options) => ssh.run(command, options),
      close: () => ssh.close(),
    }
    const mysql = await rootLogin(host)
    const sessions: number[] = []
    const drops: string[] = []
    try {
      await streamRestore(host, mysql, file, {
        databases,
        definerHost: 'localhost',
        trust: 'own-safety-dump',
        onDrop: (d) => drops.push(d),
        onSession: (_, id) => sessions.push(id),
        ...(expected ? { expected } : {}),
      })
    } finally {
      await mysql.close()
      await host.close()
    }
    return { sessions, drops, refused }
  }

  it('gives back exactly what was dumped, its tables loaded side by side', async () => {
    // As a restore after its preflight: the scan tells how many tables come, so all sessions open at once.
    const { sessions, drops, refused } = await restoreThrough(sshd, { expected: scan(dump) })
    expect(await describeDatabase(db)).toEqual(original)
    // No trigger fired during the load: the audit table holds the dumped row only.
    expect(await db.sql('SELECT what FROM zstack.audit')).toBe('dumped\n')
    expect(drops).toEqual(['zstack', 'zstack_ui'])
    // zstack: every table session, then one for the views, routines and event; zstack_ui: one.
    expect(new Set(sessions).size).toBe(MAX_TABLE_SESSIONS + 2)
    expect(refused).toBe(0)
  }, 120_000)

  it('a node without the databases yet: the sessions that log in before the CREATE try again after it', async () => {
    // The table sessions log in while the DROP and CREATE run; one that gets there before the CREATE
    // finds no database (ERROR 1049). Here none is there until the CREATE, so each of them does.
    const { sessions, refused } = await restoreThrough(sshd, { expected: scan(dump), absent: true })
    expect(await describeDatabase(db)).toEqual(original)
    expect(new Set(sessions).size).toBe(MAX_TABLE_SESSIONS + 2)
    expect(refused).toBe(0)
  }, 120_000)

  it('on a host that allows one channel per connection, gives back the same, one session at a time', async () => {
    const { refused } = await restoreThrough(limited)
    expect(await describeDatabase(db)).toEqual(original)
    expect(await db.sql('SELECT what FROM zstack.audit')).toBe('dumped\n')
    // The host did say no (to the extra table sessions, and to zstack_ui's while zstack's still
    // loaded), and each time the load went on with what it had or waited for room.
    expect(refused).toBeGreaterThan(0)
  }, 120_000)

  it('a server that takes fewer connections: the sessions it turns away are left out, the load goes on', async () => {
    // The load's account may hold two connections at once (root ignores max_connections).
    const limit = (n: number) =>
      db.sql(`ALTER USER root@localhost, root@'127.0.0.1' WITH MAX_USER_CONNECTIONS ${n}`)
    await limit(2)
    try {
      const { sessions } = await restoreThrough(sshd, { databases: ['zstack'] })
      expect(sessions.length).toBeLessThan(MAX_TABLE_SESSIONS + 1)
    } finally {
      await limit(0)
    }
    expect(await describeDatabase(db)).toEqual(original)
  }, 120_000)

  it('a server that closes idle connections after 1 s: a session waiting its turn is neither lost nor silently replaced', async () => {
    // The big table keeps one session busy for seconds while the others wait for their next table:
    // the server must not close them (a closed one fails the whole load), and a session must never
    // go on in a new connection without the load's settings (the id 0 of ZZZ_zero would change).
    // Through a 64 Mbit/s link the big table takes seconds to stream to its session.
    const link = await startLinkEmulator(sshd.port, { rttMs: 1, rateMbit: 64 })
    await db.sql('SET GLOBAL wait_timeout = 1')
    try {
      await restoreThrough(sshd, { expected: scan(dump), port: link.port })
    } finally {
      await db.sql('SET GLOBAL wait_timeout = 28800')
      await link.stop()
    }
    expect(await describeDatabase(db)).toEqual(original)
  }, 120_000)

  it('a failed load leaves no session open: one that finishes opening after the failure is ended at once', async () => {
    // Many tables (so extra sessions are asked for at once), then a routine too large to hold: the
    // load fails while the extra sessions' channels are still held back here.
    const tables = Array.from({ length: 12 }, (_, i) => `CREATE TABLE \`t${i}\` (id int);`).join('\n')
    const file = join(tempDir('zsdr-parallel-load-'), 'late-sessions.gz')
    writeFileSync(
      file,
      gzipSync(
        `USE \`zstack\`;\n${tables}\nDELIMITER ;;\nCREATE PROCEDURE \`p\`() SELECT '${'x'.repeat(65 * 1024 * 1024)}' ;;\nDELIMITER ;\n`,
        { level: 1 },
      ),
    )
    const ssh = await sshdConnector(sshd)()
    let loaders = 0
    const held: (() => void)[] = []
    const opened: Promise<unknown>[] = []
    const host: RemoteHost = {
      ...ssh,
      exec: (command, options) => {
        if (!command.includes('--one-database') || ++loaders === 1) return ssh.exec(command, options)
        const open = new Promise<void>((resolve) => held.push(resolve)).then(() => ssh.exec(command, options))
        opened.push(open.catch(() => null))
        return open
      },
      run: (command, options) => ssh.run(command, options),
      close: () => ssh.close(),
    }
    const mysql = await rootLogin(host)
    try {
      const error = await streamRestore(host, mysql, file, {
        databases: ['zstack'],
        definerHost: 'localhost',
        trust: 'own-safety-dump',
        onDrop: () => {},
        expected: scan(file),
      }).catch((e: unknown) => e)
      expect((error as AppError).code).toBe('restore.dump_objects_too_large')
      expect(held.length).toBeGreaterThan(0)
      for (const release of held) release()
      await Promise.all(opened)
      const deadline = Date.now() + 5000
      while (pidsWithArgs([mysql.optionFile, '--one-database']).length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100))
      // The connection is still open (a rollback would use it): nothing of the failed load runs on it.
      expect(pidsWithArgs([mysql.optionFile, '--one-database'])).toEqual([])
    } finally {
      await mysql.close()
      await host.close()
    }
  }, 120_000)

  it("an older mysqldump's dump (a view's placeholder table, dropped before the view) loads and verifies", async () => {
    // As MariaDB 5.5's mysqldump (ZStack 3.0 on CentOS 7) writes a view: a MyISAM table in its place
    // while the tables load, dropped at the end just before the view is created.
    const file = join(tempDir('zsdr-parallel-load-'), 'older-mysqldump.gz')
    writeFileSync(
      file,
      gzipSync(`USE \`zstack\`;
DROP TABLE IF EXISTS \`A\`;
CREATE TABLE \`A\` (id int PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO \`A\` VALUES (1),(2),(3);
DROP TABLE IF EXISTS \`V\`;
/*!50001 DROP VIEW IF EXISTS \`V\`*/;
SET @saved_cs_client     = @@character_set_client;
SET character_set_client = utf8;
/*!50001 CREATE TABLE \`V\` (
  \`id\` tinyint NOT NULL
) ENGINE=MyISAM */;
SET character_set_client = @saved_cs_client;
USE \`zstack\`;
/*!50001 DROP TABLE IF EXISTS \`V\`*/;
/*!50001 DROP VIEW IF EXISTS \`V\`*/;
/*!50001 SET @saved_cs_client          = @@character_set_client */;
/*!50001 SET character_set_client      = utf8 */;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=\`root\`@\`localhost\` SQL SECURITY DEFINER */
/*!50001 VIEW \`V\` AS select \`A\`.\`id\` AS \`id\` from \`A\` */;
/*!50001 SET character_set_client      = @saved_cs_client */;
`),
    )
    const summary = scan(file)
    await restoreThrough(sshd, { file, expected: summary, databases: ['zstack'] })
    expect(
      await db.sql(
        "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'zstack' ORDER BY 1",
      ),
    ).toBe('A\tBASE TABLE\nV\tVIEW\n')
    const ssh = await sshdConnector(sshd)()
    const mysql = await rootLogin(ssh)
    try {
      // Before, the placeholder was expected as a table: "missing", and the restore rolled back.
      expect(await verifyAgainstDump(mysql, summary, ['zstack'])).toMatchObject({
        ok: true,
        tablesChecked: 1,
        rowsFound: 3,
        mismatches: [],
      })
    } finally {
      await mysql.close()
      await ssh.close()
    }
  }, 120_000)

  it('stops with a clear error when the views and routines to hold back exceed 64 MiB', async () => {
    const file = join(tempDir('zsdr-parallel-load-'), 'huge-routine.gz')
    const body = 'x'.repeat(65 * 1024 * 1024)
    writeFileSync(
      file,
      gzipSync(
        `USE \`zstack\`;\nCREATE TABLE \`t\` (id int);\nDELIMITER ;;\nCREATE PROCEDURE \`p\`() SELECT '${body}' ;;\nDELIMITER ;\n`,
        { level: 1 },
      ),
    )
    const error = await restoreThrough(sshd, { file }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('restore.dump_objects_too_large')
    expect((error as AppError).text.zh).toContain('64 MiB')
  }, 120_000)
})
