import { describe, expect, it } from 'vitest'
import { safeBlock, safeJson, safeJsonText, safeText } from '../../../src-main/cli/output/terminal-safe.js'
import { rawTerminalControl } from '../../harness/cli.js'

// Bytes a terminal would act on: OSC title change, clear screen, C1 CSI, bidi override, bell.
const HOSTILE = ['\x1b]0;evil\x07', '\x1b[2J', '\u009b31m', '\u202Egpj.exe', '\x07']
const hasControl = (s: string) => rawTerminalControl(s) !== undefined

describe('terminal-safe printing of remote text', () => {
  it('safeText makes every control visible, newlines and tabs included', () => {
    expect(safeText('\x1b]0;evil\x07backup.gz')).toBe('\\x1B]0;evil\\x07backup.gz')
    expect(safeText('\x1b[2J')).toBe('\\x1B[2J')
    expect(safeText('a\nb\tc')).toBe('a\\x0Ab\\x09c')
    for (const h of HOSTILE) expect(hasControl(safeText(h))).toBe(false)
  })

  it('safeBlock keeps our own line breaks and tabs, nothing else', () => {
    expect(safeBlock('line 1\n\tline 2 \x1b[2J')).toBe('line 1\n\tline 2 \\x1B[2J')
    expect(safeBlock('\r')).toBe('\\x0D')
  })

  it('plain, CJK and emoji text pass unchanged', () => {
    for (const s of ['db-backup-nightly', '数据库备份', '👍🏽 ok', 'a b']) expect(safeText(s)).toBe(s)
  })

  it('safeJson escapes what JSON.stringify leaves raw, and parses back to the same data', () => {
    const value = { name: HOSTILE.join('|'), n: 1 }
    const text = safeJson(value, 2)
    expect(hasControl(text)).toBe(false)
    expect(JSON.parse(text)).toEqual(value)
  })
  it('safeJsonText does the same to JSON serialized elsewhere (log lines)', () => {
    const line = `${JSON.stringify({ msg: 'name \u009b2J \u202e' })}\n`
    const safe = safeJsonText(line)
    expect(hasControl(safe)).toBe(false)
    expect(JSON.parse(safe)).toEqual(JSON.parse(line))
  })
})
