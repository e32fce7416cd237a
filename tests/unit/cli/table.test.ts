import stringWidth from 'string-width'
import { describe, expect, it } from 'vitest'
import { formatTable, truncate } from '../../../src-main/cli/output/table.js'

const widths = (text: string) => text.split('\n').map((l) => stringWidth(l))

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers, trims trailing spaces', () => {
    const { text: out } = formatTable({
      headers: ['NAME', 'SIZE'],
      rows: [
        ['a', '1 B'],
        ['longer-name', '10.5 GiB'],
      ],
      alignRight: [false, true],
    })
    const line = (a: string, b: string) => `${a.padEnd(11)}  ${b.padStart(8)}`
    expect(out).toBe([line('NAME', 'SIZE'), line('a', '1 B'), line('longer-name', '10.5 GiB')].join('\n'))
  })

  it('measures CJK characters as two cells, so columns after them line up', () => {
    const { text: out } = formatTable({
      headers: ['名称', 'UUID'],
      rows: [
        ['备份-数据库', 'u1'],
        ['web', 'u2'],
      ],
    })
    const lines = out.split('\n')
    expect(lines[0]).toBe('名称         UUID')
    expect(lines[2]).toBe('web          u2')
    expect(stringWidth(lines[1]!.split('u1')[0]!)).toBe(stringWidth(lines[0]!.split('UUID')[0]!))
  })

  it('fits the terminal width: shrink-first columns give way, cut with an ellipsis', () => {
    const { text: out } = formatTable({
      headers: ['NAME', 'UUID'],
      rows: [['a-very-long-backup-name-that-goes-on-and-on', '0123456789abcdef0123456789abcdef']],
      shrinkFirst: [true, false],
      maxWidth: 50,
    })
    expect(Math.max(...widths(out))).toBeLessThanOrEqual(50)
    expect(out).toContain('0123456789abcdef0123456789abcdef')
    expect(out.split('\n')[1]).toBe('a-very-long-bac…  0123456789abcdef0123456789abcdef')
    expect(widths(out)[1]).toBe(50)
  })

  it('then columns are left out from the right (and named), then the rest is cut', () => {
    const { text, hidden } = formatTable({
      headers: ['NAME', 'A', 'B', 'C'],
      rows: [['a-long-name-of-a-backup', 'x'.repeat(20), 'y'.repeat(20), 'z'.repeat(20)]],
      shrinkFirst: [true, false, false, false],
      maxWidth: 40,
    })
    expect(hidden).toEqual(['B', 'C'])
    expect(text.split('\n')[1]).toBe(`a-long-name…  ${'x'.repeat(20)}`)
    const cut = formatTable({ headers: ['N', 'A'], rows: [['name-name', 'x'.repeat(40)]], maxWidth: 30 })
    expect(Math.max(...widths(cut.text))).toBeLessThanOrEqual(30)
    expect(cut.hidden).toEqual([])
  })

  it('cuts CJK text on a character boundary and never exceeds the width', () => {
    const { text: out } = formatTable({
      headers: ['名称'],
      rows: [['数据库备份每日凌晨两点']],
      shrinkFirst: [true],
      maxWidth: 9,
    })
    const row = out.split('\n')[1]!
    expect(stringWidth(row)).toBeLessThanOrEqual(9)
    expect(row.endsWith('…')).toBe(true)
    expect(row).toBe('数据库备…')
  })

  it('an empty result is the header line alone, or nothing without headers', () => {
    expect(formatTable({ headers: ['NAME', 'UUID'], rows: [] }).text).toBe('NAME  UUID')
    expect(formatTable({ headers: ['NAME', 'UUID'], rows: [], showHeaders: false }).text).toBe('')
  })

  it('--no-headers: rows alone, still aligned', () => {
    const { text: out } = formatTable({
      headers: ['A', 'B'],
      rows: [
        ['xx', '1'],
        ['x', '2'],
      ],
      showHeaders: false,
    })
    expect(out).toBe('xx  1\nx   2')
  })
})

describe('truncate', () => {
  it('leaves text that fits, cuts the rest to the width with the ellipsis inside it', () => {
    expect(truncate('abc', 3)).toBe('abc')
    expect(truncate('abcdef', 4)).toBe('abc…')
    expect(stringWidth(truncate('云主机云主机', 5))).toBeLessThanOrEqual(5)
  })

  it('does not split an emoji or a combined character', () => {
    expect(truncate('👍🏽👍🏽👍🏽', 5)).toBe('👍🏽👍🏽…')
    expect(truncate('éééé', 3)).toBe('éé…')
  })
})
