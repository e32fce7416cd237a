import { describe, expect, it } from 'vitest'
import { pickLang, say } from '../../../src-main/cli/output/lang.js'
import { clock, humanAge, humanBytes, localDate } from '../../../src-main/cli/output/values.js'

describe('cell values', () => {
  it('sizes are 1024-based with one decimal; no value is "-"', () => {
    expect(humanBytes(0)).toBe('0 B')
    expect(humanBytes(1536)).toBe('1.5 KiB')
    expect(humanBytes(8 * 1024 ** 3)).toBe('8.0 GiB')
    expect(humanBytes(null)).toBe('-')
    expect(humanBytes('12')).toBe('-')
  })

  it('dates are local "YYYY-MM-DD HH:mm"; what is not a date is shown as it came', () => {
    const d = new Date(2026, 10, 27, 9, 5)
    expect(localDate(d.getTime())).toBe('2026-11-27 09:05')
    expect(localDate(d.toISOString())).toBe('2026-11-27 09:05')
    expect(localDate('soon')).toBe('soon')
    expect(localDate(null)).toBe('-')
  })

  it('ages and ETAs', () => {
    expect(humanAge(300, 'en')).toBe('5 minutes ago')
    expect(humanAge(300, 'zh')).toBe('5分钟前')
    expect(humanAge(null, 'en')).toBe('never')
    expect(clock(75)).toBe('1:15')
    expect(clock(3725)).toBe('1:02:05')
  })
})

describe('language', () => {
  it('--lang wins, else the locale; anything not Chinese is English', () => {
    expect(pickLang('zh', { LANG: 'en_US.UTF-8' })).toBe('zh')
    expect(pickLang(undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh')
    expect(pickLang(undefined, { LC_ALL: 'C', LANG: 'zh_CN.UTF-8' })).toBe('en')
    expect(pickLang(undefined, {})).toBe('en')
    expect(pickLang(undefined, { LC_ALL: '', LANG: 'zh_TW.UTF-8' })).toBe('zh')
  })

  it('say fills placeholders and leaves unknown ones visible', () => {
    expect(say('en', { en: '{a} of {b} {c}', zh: '' }, { a: 1, b: 'x' })).toBe('1 of x {c}')
  })
})
