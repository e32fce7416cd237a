import { Writable } from 'node:stream'
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { addOutputOptions, type Column, printList } from '../../../src-main/cli/output/index.js'
import { TerminalWriter } from '../../../src-main/cli/output/writer.js'

/** printList on its own: what each format makes of the same rows (no services, no network). */
interface Row {
  name: string
  size: number | null
}
const columns: Column<Row>[] = [
  { header: { en: 'NAME', zh: '名称' }, value: (r) => r.name, shrink: true },
  { header: { en: 'SIZE', zh: '大小' }, value: (r) => r.size, right: true },
]

function run(args: string[], rows: Row[], tty = false) {
  const text = { out: '', err: '' }
  const sink = (key: 'out' | 'err') =>
    new TerminalWriter(
      Object.assign(
        new Writable({
          write(chunk, _e, done) {
            text[key] += String(chunk)
            done()
          },
        }),
        tty ? { isTTY: true, columns: 80 } : {},
      ),
    )
  const io = { stdout: sink('out'), stderr: sink('err') }
  const command = addOutputOptions(new Command('zsdr'))
  command.parse(args, { from: 'user' })
  printList(command, io, {
    document: { rows },
    rows,
    columns,
    notes: ['a note'],
    empty: { en: 'none', zh: '无' },
  })
  return text
}

describe('printList', () => {
  const rows = [
    { name: '=HYPERLINK("http://x")', size: 1 },
    { name: 'a, b', size: null },
  ]

  it('csv: quoted where needed, formulas kept as text, empty for no value', () => {
    expect(run(['-o', 'csv'], rows).out).toBe('NAME,SIZE\n"\'=HYPERLINK(""http://x"")",1\n"a, b",\n')
  })

  it('json is the document, ndjson the rows; notes go to stderr except with json or --quiet', () => {
    const json = run(['--json'], rows)
    expect(JSON.parse(json.out)).toEqual({ rows })
    expect(json.err).toBe('')
    const nd = run([], rows)
    expect(
      nd.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(rows)
    expect(nd.err).toBe('a note\n')
    expect(run(['--quiet'], rows).err).toBe('')
  })

  it('table: the terminal default; no rows says so on stderr and prints nothing', () => {
    const t = run([], rows, true)
    expect(t.out.split('\n')[0]).toMatch(/^NAME\s+SIZE$/)
    expect(t.out).toContain('a, b')
    const empty = run([], [], true)
    expect(empty.out).toBe('')
    expect(empty.err).toBe('none\na note\n')
    expect(run(['--lang', 'zh'], [], true).err).toBe('无\na note\n')
  })
})
