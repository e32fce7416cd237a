import { describe, expect, it } from 'vitest'
import {
  BackupRowCollector,
  type TrackedTable,
} from '../../../src-main/recovery/restore/drift/backup-rows.js'
import { columnsOfCreateTable } from '../../../src-main/recovery/restore/drift/create-table.js'
import {
  InsertSyntaxError,
  InsertValuesParser,
  type SqlValue,
} from '../../../src-main/recovery/restore/drift/insert-values.js'
import { DumpScanner } from '../../../src-main/recovery/restore/dump-scanner.js'

/** Parses a statement fed in parts of `step` characters (1 = every boundary, the hardest split). */
function rows(statement: string, step = Number.MAX_SAFE_INTEGER, keep?: Set<number>): SqlValue[][] {
  const out: SqlValue[][] = []
  const parser = new InsertValuesParser((r) => out.push(r), keep ? { keep } : {})
  for (let i = 0; i < statement.length; i += step) parser.push(statement.slice(i, i + step))
  parser.end()
  return out
}

describe('InsertValuesParser (mysqldump INSERT text, hostile by default)', () => {
  it('undoes every mysqldump escape, whatever the split: \\0 \\\' \\" \\b \\n \\r \\t \\Z \\\\', () => {
    const text = "INSERT INTO `t` VALUES ('a\\0b\\'c\\\"d\\be\\nf\\rg\\th\\Zi\\\\j','it''s');\n"
    const expected = [['a\0b\'c"d\be\nf\rg\th\x1ai\\j', "it's"]]
    for (const step of [1, 2, 3, 7, 1000]) expect(rows(text, step)).toEqual(expected)
  })

  it('reads NULL, numbers, Chinese text, and several rows on several lines, whatever the split', () => {
    const text =
      "INSERT INTO `VmInstanceEO` VALUES (1,NULL,-2.5e+10,'云主机-一号'),\n(2,null,0x1F,'数据库 (主)');"
    const expected = [
      ['1', null, '-2.5e+10', '云主机-一号'],
      ['2', null, '0x1F', '数据库 (主)'],
    ]
    for (const step of [1, 5, 1000]) expect(rows(text, step)).toEqual(expected)
  })

  it('text that looks like SQL stays text: it never ends the statement or the row', () => {
    const text = "INSERT INTO `t` VALUES ('x\\'); DROP DATABASE zstack; -- ','),(;'),('\\\\');"
    expect(rows(text)).toEqual([["x'); DROP DATABASE zstack; -- ", '),(;'], ['\\']])
  })

  it('charset introducers and a column list (--complete-insert)', () => {
    const parser = new InsertValuesParser(() => {})
    parser.push("INSERT INTO `t` (`a`,`b``c`) VALUES (_binary 'x',_utf8mb4'y');")
    parser.end()
    expect(parser.columns).toEqual(['a', 'b`c'])
    expect(rows("INSERT INTO `t` VALUES (_binary 'x',b'01');")).toEqual([['x', '01']])
  })

  it('decodes only the kept columns; the others read as null', () => {
    expect(rows("INSERT INTO `t` VALUES ('a','b','c');", 2, new Set([1]))).toEqual([[null, 'b', null]])
  })

  it.each([
    ['a truncated statement', "INSERT INTO `t` VALUES ('a','b"],
    ['a statement without VALUES', 'INSERT INTO `t` SELECT * FROM mysql.user;'],
    ['an expression where a value belongs', "INSERT INTO `t` VALUES (LOAD_FILE('/etc/shadow'));"],
    ['a subquery', 'INSERT INTO `t` VALUES ((SELECT 1));'],
    ['a second statement after the first', 'INSERT INTO `t` VALUES (1); DROP TABLE x;'],
    ['garbage between rows', 'INSERT INTO `t` VALUES (1) UNION (2);'],
  ])('refuses %s with the byte offset', (_name, text) => {
    expect(() => rows(text)).toThrow(InsertSyntaxError)
  })

  it('a 32 MiB value in one line is read in linear time and kept only up to the limit', () => {
    const big = 'A'.repeat(32 * 1024 * 1024)
    const text = `INSERT INTO \`t\` VALUES ('${big}','path'),('${big}\\'','p2');`
    const out: SqlValue[][] = []
    const parser = new InsertValuesParser((r) => out.push(r), { maxValueLength: 16 })
    const started = performance.now()
    for (let i = 0; i < text.length; i += 1 << 16) parser.push(text.slice(i, i + (1 << 16)))
    parser.end()
    const ms = performance.now() - started
    expect(out).toEqual([
      ['A'.repeat(16), 'path'],
      ['A'.repeat(16), 'p2'],
    ])
    // Measured 0.35 s here on a loaded machine; a quadratic scan of 64 MiB would take hours.
    expect(ms).toBeLessThan(10_000)
  })
})

const DUMP = `/*!40101 SET NAMES utf8mb4 */;
CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`zstack\` /*!40100 DEFAULT CHARACTER SET utf8mb3 */;
USE \`zstack\`;
DROP TABLE IF EXISTS \`VolumeEO\`;
CREATE TABLE \`VolumeEO\` (
  \`uuid\` varchar(32) NOT NULL,
  \`name\` varchar(255) NOT NULL COMMENT 'a, (tricky) \`comment\`',
  \`size\` decimal(10,2) DEFAULT NULL,
  \`installPath\` varchar(1024) DEFAULT NULL,
  \`deleted\` varchar(255) DEFAULT NULL,
  PRIMARY KEY (\`uuid\`),
  KEY \`idx\` (\`name\`,\`size\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
INSERT INTO \`VolumeEO\` VALUES ('v1','数据盘',1.50,'/zstack/v1.qcow2',NULL),
('v2','root\\'s',NULL,'/a\\\\b;',NULL);
CREATE TABLE \`Other\` (\`x\` int);
INSERT INTO \`Other\` VALUES (1);
-- Dump completed on 2026-11-27 10:00:01
`

function collect(
  dump: string,
  tracked: TrackedTable[] = [{ table: 'VolumeEO', columns: ['uuid', 'installPath', 'name'] }],
) {
  const collector = new BackupRowCollector(tracked)
  const scanner = new DumpScanner({ definerHost: 'localhost', observers: [collector] })
  scanner.push(Buffer.from(dump))
  scanner.end()
  return collector
}

describe('BackupRowCollector (a StatementObserver of the backup scan)', () => {
  it('takes the column order from the CREATE TABLE and keeps the wanted columns of wanted tables', () => {
    const result = collect(DUMP).result('/x/host-zstack-backup-db-2026-11-27_10-00-00.gz')
    expect(result.tables.get('VolumeEO')).toEqual({
      ok: true,
      rows: [
        { uuid: 'v1', installPath: '/zstack/v1.qcow2', name: '数据盘' },
        { uuid: 'v2', installPath: '/a\\b;', name: "root's" },
      ],
    })
    expect(result.tables.has('Other')).toBe(false)
    expect(result.takenAt).toBe('2026-11-27 10:00:00')
    expect(collect(DUMP).result('/x/backup.gz').takenAt).toBeNull()
  })

  it('liveOnly keeps only the rows ZStack shows (deleted NULL)', () => {
    const dump = DUMP.replace("'/a\\\\b;',NULL)", "'/a\\\\b;','2026-11-28')")
    expect(dump).not.toBe(DUMP)
    const rows = collect(dump, [{ table: 'VolumeEO', columns: ['uuid'], liveOnly: true }]).result('b.gz')
    expect(rows.tables.get('VolumeEO')).toEqual({ ok: true, rows: [{ uuid: 'v1', deleted: null }] })
  })

  it('column names: nested parentheses, quotes, keys and constraints are not columns', () => {
    expect(
      columnsOfCreateTable(
        "CREATE TABLE `a(b` (\n `x``y` enum('p,q','r)') NOT NULL,\n `z` decimal(10,2) COMMENT \"it's, (x)\",\n PRIMARY KEY (`x``y`),\n CONSTRAINT `c` FOREIGN KEY (`z`) REFERENCES `t` (`id`)\n) ENGINE=InnoDB",
      ),
    ).toEqual(['x`y', 'z'])
    expect(() => columnsOfCreateTable('CREATE TABLE `t` LIKE `u`')).toThrow(/no column list/)
  })

  it('marks a table unreadable (never the scan) when its text is not what mysqldump writes', () => {
    const collector = collect(DUMP)
    collector.onInsert(
      'zstack',
      'VolumeEO',
      Buffer.from("INSERT INTO `VolumeEO` VALUES ('v3','x',1,'p',NULL) garbage"),
    )
    expect(collector.result('b.gz').tables.get('VolumeEO')).toMatchObject({
      ok: false,
      reason: /not what mysqldump writes/,
    })
  })

  it('refuses rows whose count of values does not match the CREATE TABLE, and rows before any CREATE TABLE', () => {
    const short = collect(DUMP)
    short.onInsert('zstack', 'VolumeEO', Buffer.from("INSERT INTO `VolumeEO` VALUES ('v1','x','p')"))
    expect(short.result('b.gz').tables.get('VolumeEO')).toMatchObject({ ok: false, reason: /3 values for 5/ })
    const early = new BackupRowCollector([{ table: 'VolumeEO', columns: ['uuid'] }])
    early.onInsert('zstack', 'VolumeEO', Buffer.from("INSERT INTO `VolumeEO` VALUES ('v1')"))
    expect(early.result('b.gz').tables.get('VolumeEO')).toMatchObject({
      ok: false,
      reason: /before the CREATE TABLE/,
    })
  })

  it('a wanted column the backup lacks, a table of another database, a table absent from the backup', () => {
    const tracked = [
      { table: 'VolumeEO', columns: ['uuid', 'primaryStorageUuid'] },
      { table: 'HostEO', columns: ['uuid'] },
    ]
    const result = collect(DUMP, tracked).result('b.gz')
    expect(result.tables.get('VolumeEO')).toMatchObject({ ok: false, reason: /no column primaryStorageUuid/ })
    expect(result.tables.get('HostEO')).toEqual({ ok: false, reason: 'not in the backup' })
    const elsewhere = collect(DUMP.replace(/zstack/g, 'zstack_ui')).result('b.gz')
    expect(elsewhere.tables.get('VolumeEO')).toEqual({ ok: false, reason: 'not in the backup' })
  })
})
