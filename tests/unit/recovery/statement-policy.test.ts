import { describe, expect, it } from 'vitest'
import { DumpScanner, type DumpSummary } from '../../../src-main/recovery/restore/dump-scanner.js'
import { MALICIOUS_KINDS, VARIANT_FORMS, variant } from '../../fixtures/zstack-db/malicious.js'

const HEAD =
  '/*!40101 SET NAMES utf8mb4 */;\nCREATE DATABASE /*!32312 IF NOT EXISTS*/ `zstack`;\nUSE `zstack`;\n'
const TAIL = "\nCREATE TABLE `ZoneEO` (`uuid` varchar(32) NOT NULL);\nINSERT INTO `ZoneEO` VALUES ('z');\n"

function scan(text: string): { summary: DumpSummary; output: string } {
  const scanner = new DumpScanner({ definerHost: 'localhost' })
  const out = [...scanner.push(Buffer.from(text)), ...scanner.end()]
  return { summary: scanner.summary(), output: out.map((s) => s.data.toString()).join('') }
}

describe('statement allow-list: the malicious corpus, every form', () => {
  const values = { file: '/tmp/zsdr-pwned-marker', sql: '/tmp/zsdr-pwned.sql' }
  for (const kind of MALICIOUS_KINDS)
    for (const form of VARIANT_FORMS)
      it(`${kind.id} (${form}) is refused at its line and never forwarded`, () => {
        const statement = variant(kind, form, values)
        const { summary, output } = scan(`${HEAD}${statement}${TAIL}`)
        expect(summary.refusedCount).toBeGreaterThanOrEqual(1)
        expect(summary.refusals[0]?.line).toBe(4)
        expect(summary.refusals[0]?.excerpt.length).toBeLessThanOrEqual(161)
        for (const marker of ['canary', 'zsdr-pwned', 'evil', 'pwned', 'GLOBAL', 'mysql.user'])
          expect(output.toLowerCase()).not.toContain(marker.toLowerCase())
      })
})

describe('statement allow-list: what mysqldump writes passes in any case and spacing', () => {
  it('accepts lower-case keywords, tabs and line breaks inside statements', () => {
    const { summary, output } = scan(
      `${HEAD}drop\ttable if exists \`ZoneEO\`;\ncreate table\n\`ZoneEO\` (\`uuid\` varchar(32)) engine=InnoDB;\nlock tables \`ZoneEO\` write;\n/*!40000 alter table \`ZoneEO\` disable keys */;\ninsert into \`ZoneEO\` values\n('a'),(NULL),(_binary 'x'),(0x41),(-1.5e3);\nunlock tables;\n`,
    )
    expect(summary.refusals).toEqual([])
    expect(summary.databases.zstack?.tables.ZoneEO).toBe(5)
    expect(output).toContain("insert into `ZoneEO` values\n('a')")
  })

  it('shows control characters of a refused statement escaped, and cuts long ones', () => {
    const { summary } = scan(`${HEAD}SELECT '\u001b[31mred\u202e' , '${'x'.repeat(500)}';${TAIL}`)
    const excerpt = summary.refusals[0]?.excerpt ?? ''
    expect(excerpt).toContain('\\x1b[31mred\\u202e')
    expect([...excerpt].some((c) => (c.codePointAt(0) as number) < 0x20 || c === '\u202e')).toBe(false)
    expect(excerpt.endsWith('…')).toBe(true)
    // The reason quotes backup text too: it is made safe the same way.
    const reason = scan(`${HEAD}CREATE \u202eevil;${TAIL}`).summary.refusals[0]?.reason ?? ''
    expect(reason).toContain('\\u202e')
    expect(reason).not.toContain('\u202e')
  })

  it('refuses a DROP of several objects in one statement: mysqldump writes one DROP per object', () => {
    const { summary } = scan(`${HEAD}DROP TABLE IF EXISTS \`ZoneEO\`, \`HostEO\`;${TAIL}`)
    expect(summary.refusals.map((r) => [r.line, r.reason])).toEqual([
      [4, 'DROP of several objects in one statement (mysqldump writes one per object)'],
    ])
    expect(scan(`${HEAD}DROP TABLE IF EXISTS \`ZoneEO\`;${TAIL}`).summary.refusedCount).toBe(0)
  })

  it('refuses a statement split from its comment by a chunk boundary just as when whole', () => {
    const text = `${HEAD}/*!40000 SELECT 1 INTO OUTFILE '/tmp/x' */;${TAIL}`
    const scanner = new DumpScanner({ definerHost: 'localhost' })
    for (const byte of Buffer.from(text)) scanner.push(Buffer.from([byte]))
    scanner.end()
    expect(scanner.summary().refusals.map((r) => r.line)).toEqual([4])
  })

  it('refuses names of another database in a view body, and records table qualifiers for the server check', () => {
    const view = (body: string) =>
      scan(
        `${HEAD}/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER=\`x\`@\`%\` SQL SECURITY DEFINER */\n/*!50001 VIEW \`v\` AS ${body} */;${TAIL}`,
      )
    expect(
      view('select `ZoneEO`.`uuid` AS `uuid` from `ZoneEO`').summary.databases.zstack?.qualifiers,
    ).toEqual(['ZoneEO'])
    expect(view('select `uuid` from `zstack_ui`.`user_preference`').summary.refusedCount).toBe(1)
    expect(view('select `a`.`b`.`c` from `ZoneEO`').summary.refusedCount).toBe(1)
    expect(view('select other.f(1) from `ZoneEO`').summary.refusedCount).toBe(1)
  })
})
