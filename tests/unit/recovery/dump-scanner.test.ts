import { describe, expect, it } from 'vitest'
import {
  compareVersions,
  DumpScanner,
  maxVersion,
  parseFlywayVersions,
} from '../../../src-main/recovery/restore/dump-scanner.js'
import {
  definerHost,
  endpointFromZstackProperties,
  mysqlError,
} from '../../../src-main/recovery/restore/mysql-client.js'

const DUMP = `/*!40101 SET NAMES utf8mb4 */;
--
-- Current Database: \`zstack\`
--

CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`zstack\` /*!40100 DEFAULT CHARACTER SET utf8mb3 */;

USE \`zstack\`;
DROP TABLE IF EXISTS \`VmInstanceEO\`;
CREATE TABLE \`VmInstanceEO\` (
  \`uuid\` varchar(32) NOT NULL
) ENGINE=InnoDB;
INSERT INTO \`VmInstanceEO\` VALUES ('a','it''s (not) a row'),('b','back\\\\slash \\' (quote'),('c','DROP DATABASE IF EXISTS x; DEFINER=\`u\`@\`h\`');
INSERT INTO \`VmInstanceEO\` VALUES
('d','多行 (row)'),
('e','second; line');
CREATE TABLE \`EmptyVO\` (id int);
CREATE TABLE \`schema_version\` (installed_rank int);
INSERT INTO \`schema_version\` VALUES (1,'0.6','schema','SQL','V0.6__schema.sql',1,'root','2018-03-01',1,1),(2,'2.10','x','SQL','V2.10.sql',1,'root','2018-03-01',1,1),(3,'2.9.1','y','SQL','V2.9.1.sql',1,'root','2018-03-01',1,1);
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=\`zstack\`@\`%\`*/ /*!50003 TRIGGER t AFTER INSERT ON \`EmptyVO\` FOR EACH ROW SET NEW.id = 1 */;;
DELIMITER ;
--
-- Current Database: \`zstack_ui\`
--

CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`zstack_ui\`;

USE \`zstack_ui\`;
CREATE TABLE \`user_preference\` (id int);
INSERT INTO \`user_preference\` VALUES (1),(2);
USE \`zstack\`;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=\`root\`@\`localhost\` SQL SECURITY DEFINER */
/*!50001 VIEW \`v\` AS select \`EmptyVO\`.\`id\` AS \`id\` from \`EmptyVO\` */;
`

function scanAll(text: string, chunkSize: number, definer = '10.0.0.5') {
  const scanner = new DumpScanner({ definerHost: definer })
  const bytes = Buffer.from(text)
  const segments = []
  for (let i = 0; i < bytes.length; i += chunkSize)
    segments.push(...scanner.push(bytes.subarray(i, i + chunkSize)))
  segments.push(...scanner.end())
  const byDb: Record<string, string> = {}
  for (const s of segments) byDb[String(s.database)] = (byDb[String(s.database)] ?? '') + s.data.toString()
  return { summary: scanner.summary(), byDb }
}

describe('DumpScanner', () => {
  it('counts rows per table, ignoring parentheses, quotes and escapes inside values', () => {
    const { summary } = scanAll(DUMP, 1 << 20)
    expect(summary.databases.zstack?.tables).toEqual({ VmInstanceEO: 5, EmptyVO: 0, schema_version: 3 })
    expect(summary.databases.zstack_ui?.tables).toEqual({ user_preference: 2 })
    expect(summary.totalRows).toBe(10)
    expect(summary.uncompressedBytes).toBe(Buffer.byteLength(DUMP))
  })

  it('gives the same result whatever the chunk boundaries (multi-byte text split included)', () => {
    const whole = scanAll(DUMP, 1 << 20)
    for (const size of [1, 2, 3, 7, 64]) expect(scanAll(DUMP, size)).toEqual(whole)
  })

  it('drops the DROP/CREATE DATABASE lines and rewrites DEFINER, but never inside row data', () => {
    const { byDb, summary } = scanAll(DUMP, 13)
    expect(summary.refusals).toEqual([])
    const all = Object.values(byDb).join('')
    expect(all).not.toMatch(/^CREATE DATABASE/m)
    expect(all).not.toMatch(/^USE/m)
    expect(all).toContain('DROP DATABASE IF EXISTS x; DEFINER=`u`@`h`') // inside a row: untouched
    expect(byDb.zstack).toContain('/*!50017 DEFINER=`root`@`10.0.0.5`*/')
    expect(byDb.zstack).toContain('/*!50013 DEFINER=`root`@`10.0.0.5` SQL SECURITY DEFINER */')
    expect(summary.definersRewritten).toBe(2)
    expect(all).not.toContain('DEFINER=`zstack`@`%`')
  })

  it('routes statements by USE, including the return to a database for its views', () => {
    const { byDb } = scanAll(DUMP, 5)
    expect(byDb.null).toBe('/*!40101 SET NAMES utf8mb4 */;\n')
    expect(byDb.zstack_ui).toContain('INSERT INTO `user_preference`')
    expect(byDb.zstack_ui).not.toContain('VmInstanceEO')
    expect(byDb.zstack).toMatch(/from `EmptyVO` \*\/;\n$/)
    // The trigger goes to its loader inside DELIMITER ;; and the loader returns to ";" after it.
    expect(byDb.zstack).toMatch(/DELIMITER ;;\n\/\*!50003 CREATE\*\/[\s\S]*\*\/;;\nDELIMITER ;\n/)
  })

  it('leaves out of the expected tables the placeholder an older mysqldump creates for a view, then drops', () => {
    // MariaDB 5.5 (ZStack 3.0's CentOS 7) writes a MyISAM table in each view's place, drops it at the
    // end and creates the view: after the restore it is a view, and a table count must not expect it.
    const older = `USE \`zstack\`;
CREATE TABLE \`A\` (id int) ENGINE=InnoDB;
INSERT INTO \`A\` VALUES (1),(2);
DROP TABLE IF EXISTS \`V\`;
/*!50001 DROP VIEW IF EXISTS \`V\`*/;
/*!50001 CREATE TABLE \`V\` (
  \`id\` tinyint NOT NULL
) ENGINE=MyISAM */;
USE \`zstack\`;
/*!50001 DROP TABLE IF EXISTS \`V\`*/;
/*!50001 DROP VIEW IF EXISTS \`V\`*/;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=\`root\`@\`localhost\` SQL SECURITY DEFINER */
/*!50001 VIEW \`V\` AS select \`A\`.\`id\` AS \`id\` from \`A\` */;
`
    const { summary } = scanAll(older, 9)
    expect(summary.refusals).toEqual([])
    expect(summary.databases.zstack?.tables).toEqual({ A: 2 })
    expect(summary.totalRows).toBe(2)
  })

  it('records the validated CREATE DATABASE charset and the highest Flyway version', () => {
    const { summary } = scanAll(DUMP, 100)
    expect(summary.databases.zstack?.charset).toBe('utf8mb3')
    expect(summary.databases.zstack?.collation).toBeNull()
    expect(summary.schemaVersion).toBe('2.10')
  })
})

describe('DumpScanner observers and cost', () => {
  it('hands every accepted INSERT to observers, in dump order, in the same pass', () => {
    const seen: [string, string, string][] = []
    const scanner = new DumpScanner({
      definerHost: 'localhost',
      observers: [{ onInsert: (db, table, statement) => seen.push([db, table, statement.toString('utf8')]) }],
    })
    scanner.push(Buffer.from(DUMP))
    scanner.end()
    expect(seen.map(([db, table]) => `${db}.${table}`)).toEqual([
      'zstack.VmInstanceEO',
      'zstack.VmInstanceEO',
      'zstack.schema_version',
      'zstack_ui.user_preference',
    ])
    expect(seen[1]?.[2]).toBe("INSERT INTO `VmInstanceEO` VALUES\n('d','多行 (row)'),\n('e','second; line')")
  })

  it('scans a single 32 MiB line with work linear in its length (was quadratic)', () => {
    const row = "('0123456789abcdef0123456789abcdef','名称 (x); \\' y'),"
    const rows = Math.ceil((32 << 20) / Buffer.byteLength(row))
    const line = Buffer.from(`USE \`zstack\`;\nINSERT INTO \`t\` VALUES ${row.repeat(rows).slice(0, -1)};\n`)
    const small = Buffer.from(
      `USE \`zstack\`;\n${`INSERT INTO \`t\` VALUES ${row.slice(0, -1)};\n`.repeat(20_000)}`,
    )
    const measure = (input: Buffer) => {
      const scanner = new DumpScanner({ definerHost: 'localhost' })
      const started = performance.now()
      let out = 0
      // 64 KiB chunks, as gunzip hands them over.
      for (let i = 0; i < input.length; i += 1 << 16)
        for (const s of scanner.push(input.subarray(i, i + (1 << 16)))) out += s.data.length
      for (const s of scanner.end()) out += s.data.length
      return { ms: performance.now() - started, work: scanner.work, summary: scanner.summary(), out }
    }
    const big = measure(line)
    const base = measure(small)
    expect(big.summary.refusals).toEqual([])
    expect(big.summary.totalRows).toBe(rows)
    expect(big.out).toBeGreaterThan(line.length - 100)
    // Work (bytes scanned + bytes copied): each byte about three times at most, whatever the line length.
    expect(big.work).toBeLessThanOrEqual(3 * line.length)
    expect(base.work).toBeLessThanOrEqual(3 * small.length)
    // Time per byte within a generous factor of the short-line baseline (quadratic was ~100× worse).
    expect(big.ms / line.length).toBeLessThan((base.ms / small.length) * 8 + 1e-5)
  }, 60_000)
})

describe('DumpScanner routines', () => {
  it("records each routine with the session settings written for it, not the previous one's restores", () => {
    const sets = (n: string) =>
      `/*!50003 SET @saved_sql_mode = @@sql_mode */ ;\n/*!50003 SET sql_mode = '${n}' */ ;\n`
    const routine = (name: string) =>
      `DELIMITER ;;\nCREATE DEFINER=\`x\`@\`%\` PROCEDURE \`${name}\`()\nBEGIN\n  SELECT 1;\nEND ;;\nDELIMITER ;\n/*!50003 SET sql_mode = @saved_sql_mode */ ;\n`
    const scanner = new DumpScanner({ definerHost: 'localhost', trust: 'own-safety-dump' })
    scanner.push(
      Buffer.from(
        `USE \`zstack\`;\n${sets('')}${routine('p1')}${sets('STRICT_TRANS_TABLES')}${routine('p2')}`,
      ),
    )
    scanner.end()
    const routines = scanner.summary().databases.zstack?.routines ?? []
    expect(routines.map((r) => `${r.type} ${r.name}`)).toEqual(['PROCEDURE p1', 'PROCEDURE p2'])
    expect(routines[1]?.script).toContain("SET sql_mode = 'STRICT_TRANS_TABLES'")
    expect(routines[1]?.script).not.toContain('@saved_sql_mode */')
    expect(routines[1]?.script).toContain('DEFINER=`root`@`localhost` PROCEDURE `p2`')
  })
})

describe('versions', () => {
  it('compares dotted versions numerically', () => {
    expect(compareVersions('2.3.1.2', '2.3.1')).toBeGreaterThan(0)
    expect(compareVersions('2.10', '2.9.9')).toBeGreaterThan(0)
    expect(compareVersions('3.0.0', '3.0')).toBe(0)
    expect(maxVersion(['0.6', '3.0.0', '2.6.2'])).toBe('3.0.0')
    expect(maxVersion([])).toBeNull()
  })

  it('reads versions from schema_version rows, NULL versions skipped', () => {
    expect(parseFlywayVersions("(1,'1.0','a (b)','SQL'),(2,NULL,'<< Flyway Init >>'),(3,'1.1','c')")).toEqual(
      ['1.0', '1.1'],
    )
  })
})

describe('zstack.properties', () => {
  it('takes host and port from DB.url, port 3306 when absent', () => {
    expect(endpointFromZstackProperties('DB.url = jdbc:mysql://10.0.0.5:3307\nDB.user = zstack\n')).toEqual({
      host: '10.0.0.5',
      port: 3307,
      socket: null,
    })
    expect(endpointFromZstackProperties('DB.url=jdbc:mysql://mn1,mn2/zstack')?.port).toBe(3306)
    expect(endpointFromZstackProperties('DB.user=zstack')).toBeNull()
    expect(endpointFromZstackProperties('DB.url=nonsense')).toBeNull()
  })

  it('writes DEFINER host as zstack-ctl does: loopback becomes localhost', () => {
    expect(definerHost({ host: '127.0.0.1', port: 3306, socket: null })).toBe('localhost')
    expect(definerHost({ host: null, port: null, socket: '/run/mysqld.sock' })).toBe('localhost')
    expect(definerHost({ host: '10.0.0.5', port: 3306, socket: null })).toBe('10.0.0.5')
  })
})

describe('MySQL errors', () => {
  it('an empty error names the likely cause: the link to the host was lost', () => {
    const e = mysqlError('root@mn1', '  \n')
    expect(e.code).toBe('restore.mysql_no_answer')
    expect(e.text.en).toContain('connection to the host was most likely lost')
    expect(mysqlError('root@mn1', 'ERROR 1045 (28000): Access denied').code).toBe(
      'restore.mysql_access_denied',
    )
  })
})
