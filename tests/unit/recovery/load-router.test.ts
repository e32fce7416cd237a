import { describe, expect, it } from 'vitest'
import { DumpScanner } from '../../../src-main/recovery/restore/dump-scanner.js'

/**
 * Where each statement of a mysqldump-shaped dump runs when a database loads over several sessions:
 * read through the scanner, as the restore reads it, statement by statement (chunks of 7 bytes, so
 * no statement arrives whole).
 */
function sessions(dump: string): Map<string, string[]> {
  const scanner = new DumpScanner({ definerHost: 'localhost' })
  const bytes = Buffer.from(dump)
  const segments = []
  for (let i = 0; i < bytes.length; i += 7) segments.push(...scanner.push(bytes.subarray(i, i + 7)))
  segments.push(...scanner.end())
  expect(scanner.summary().refusals).toEqual([])
  const out = new Map<string, string[]>()
  for (const s of segments) {
    const key =
      s.route === null ? 'header' : `${s.database} ${s.route.to === 'table' ? s.route.table : '(ordered)'}`
    // The loader's form: `stmt;\n`, or `DELIMITER ;;\nstmt;;\nDELIMITER ;\n`.
    const statements = [
      ...s.data.toString().matchAll(/DELIMITER ;;\n([\s\S]*?);;\nDELIMITER ;\n|([\s\S]*?);\n/g),
    ].map((m) => (m[1] ?? m[2] ?? '').replace(/\s+/g, ' ').trim())
    out.set(key, [...(out.get(key) ?? []), ...statements])
  }
  return out
}

// Shaped as MariaDB 10.11's mysqldump writes it (--routines --triggers), trimmed to one of each kind.
const DUMP = `/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
USE \`zstack\`;
DROP TABLE IF EXISTS \`A\`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE \`A\` (id int, b int, CONSTRAINT fk FOREIGN KEY (b) REFERENCES \`B\` (id) ON DELETE CASCADE) ENGINE=InnoDB;
/*!40101 SET character_set_client = @saved_cs_client */;
LOCK TABLES \`A\` WRITE;
/*!40000 ALTER TABLE \`A\` DISABLE KEYS */;
INSERT INTO \`A\` VALUES (1,1);
/*!40000 ALTER TABLE \`A\` ENABLE KEYS */;
UNLOCK TABLES;
/*!50003 SET @saved_sql_mode       = @@sql_mode */ ;
/*!50003 SET sql_mode              = '' */ ;
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=\`zstack\`@\`%\`*/ /*!50003 TRIGGER a_ins AFTER INSERT ON \`A\` FOR EACH ROW UPDATE \`B\` SET id = id + 1 */;;
DELIMITER ;
/*!50003 SET sql_mode              = @saved_sql_mode */ ;
DROP TABLE IF EXISTS \`V\`;
/*!50001 DROP VIEW IF EXISTS \`V\`*/;
SET @saved_cs_client     = @@character_set_client;
SET character_set_client = utf8mb4;
/*!50001 CREATE VIEW \`V\` AS SELECT 1 AS \`id\` */;
SET character_set_client = @saved_cs_client;
DROP TABLE IF EXISTS \`B\`;
CREATE TABLE \`B\` (id int) ENGINE=InnoDB;
INSERT INTO \`B\` VALUES (1);
DROP TABLE IF EXISTS \`A\`;
/*!50003 DROP PROCEDURE IF EXISTS \`p\` */;
/*!50003 SET @saved_sql_mode       = @@sql_mode */ ;
/*!50003 SET sql_mode              = 'STRICT_TRANS_TABLES' */ ;
DELIMITER ;;
CREATE DEFINER=\`zstack\`@\`%\` PROCEDURE \`p\`() SELECT 1 ;;
DELIMITER ;
/*!50003 SET sql_mode              = @saved_sql_mode */ ;
USE \`zstack\`;
/*!50003 SET sql_mode              = @saved_sql_mode */ ;
/*!50001 DROP VIEW IF EXISTS \`V\`*/;
/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=\`root\`@\`localhost\` SQL SECURITY DEFINER */ /*!50001 VIEW \`V\` AS select \`B\`.\`id\` AS \`id\` from \`B\` */;
`

describe('spreading one database over several load sessions (load-router)', () => {
  const routed = sessions(DUMP)

  it('a table session gets its table: CREATE with the settings it was dumped under, rows, triggers', () => {
    expect(routed.get('zstack A')).toEqual([
      '/*!40101 SET @saved_cs_client = @@character_set_client */',
      '/*!40101 SET character_set_client = utf8mb4 */',
      'CREATE TABLE `A` (id int, b int, CONSTRAINT fk FOREIGN KEY (b) REFERENCES `B` (id) ON DELETE CASCADE) ENGINE=InnoDB',
      '/*!40101 SET character_set_client = @saved_cs_client */',
      'INSERT INTO `A` VALUES (1,1)',
      '/*!50003 SET @saved_sql_mode = @@sql_mode */',
      "/*!50003 SET sql_mode = '' */",
      '/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER a_ins AFTER INSERT ON `A` FOR EACH ROW UPDATE `B` SET id = id + 1 */',
      '/*!50003 SET sql_mode = @saved_sql_mode */',
      // The dump drops A again after B: it runs where A was created, after it.
      'DROP TABLE IF EXISTS `A`',
    ])
    expect(routed.get('zstack B')).toEqual([
      'CREATE TABLE `B` (id int) ENGINE=InnoDB',
      'INSERT INTO `B` VALUES (1)',
    ])
  })

  it('views, routines and events wait for every table, in dump order, each with its own settings', () => {
    expect(routed.get('zstack (ordered)')).toEqual([
      'SET @saved_cs_client = @@character_set_client',
      'SET character_set_client = utf8mb4',
      '/*!50001 CREATE VIEW `V` AS SELECT 1 AS `id` */',
      'SET character_set_client = @saved_cs_client',
      '/*!50003 SET @saved_sql_mode = @@sql_mode */',
      "/*!50003 SET sql_mode = 'STRICT_TRANS_TABLES' */",
      'CREATE DEFINER=`root`@`localhost` PROCEDURE `p`() SELECT 1',
      '/*!50003 SET sql_mode = @saved_sql_mode */',
      '/*!50001 DROP VIEW IF EXISTS `V`*/',
      '/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */ /*!50001 VIEW `V` AS select `B`.`id` AS `id` from `B` */',
    ])
  })

  it('drops nothing a load session could trip on: no LOCK TABLES, no DROP of what was never created', () => {
    const all = [...routed.values()].flat()
    expect(all.filter((s) => /LOCK TABLES/i.test(s))).toEqual([])
    expect(all.filter((s) => /DROP PROCEDURE/.test(s))).toEqual([])
    // A restoring SET right after `USE` ends nothing of this section: it goes nowhere (the other two
    // end the trigger and the procedure).
    expect(all.filter((s) => s.includes('= @saved_sql_mode */')).length).toBe(2)
    expect(routed.get('header')).toEqual([
      '/*!40101 SET NAMES utf8mb4 */',
      '/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */',
    ])
  })

  it('keeps DISABLE/ENABLE KEYS only where the engine uses them: InnoDB ignores both', () => {
    const keys = (table: string) =>
      `/*!40000 ALTER TABLE \`${table}\` DISABLE KEYS */;\nINSERT INTO \`${table}\` VALUES (1);\n/*!40000 ALTER TABLE \`${table}\` ENABLE KEYS */;\n`
    const routed = sessions(
      `USE \`zstack\`;\nCREATE TABLE \`I\` (id int) ENGINE=InnoDB;\n${keys('I')}` +
        `CREATE TABLE \`M\` (id int) ENGINE = MyISAM;\n${keys('M')}` +
        `CREATE TABLE \`D\` (id int);\n${keys('D')}`,
    )
    expect(routed.get('zstack I')).toEqual([
      'CREATE TABLE `I` (id int) ENGINE=InnoDB',
      'INSERT INTO `I` VALUES (1)',
    ])
    // MyISAM builds its indexes at ENABLE KEYS; a table naming no engine gets the server's default,
    // which may be any: both keep them.
    for (const [table, create] of [
      ['M', 'CREATE TABLE `M` (id int) ENGINE = MyISAM'],
      ['D', 'CREATE TABLE `D` (id int)'],
    ])
      expect(routed.get(`zstack ${table}`)).toEqual([
        create,
        `/*!40000 ALTER TABLE \`${table}\` DISABLE KEYS */`,
        `INSERT INTO \`${table}\` VALUES (1)`,
        `/*!40000 ALTER TABLE \`${table}\` ENABLE KEYS */`,
      ])
  })

  it('a trigger goes to the session of the table it is ON, wherever the dump put it', () => {
    const moved = sessions(
      `USE \`zstack\`;\nCREATE TABLE \`A\` (id int);\nCREATE TABLE \`B\` (id int);\nDELIMITER ;;\nCREATE TRIGGER t BEFORE INSERT ON \`A\` FOR EACH ROW SET NEW.id = 1 ;;\nDELIMITER ;\n`,
    )
    expect(moved.get('zstack A')).toEqual([
      'CREATE TABLE `A` (id int)',
      'CREATE TRIGGER t BEFORE INSERT ON `A` FOR EACH ROW SET NEW.id = 1',
    ])
  })
})
