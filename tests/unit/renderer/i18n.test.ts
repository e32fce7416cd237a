import { describe, expect, it } from 'vitest'
import { en } from '../../../src-renderer/src/i18n/en.js'
import { zhCN } from '../../../src-renderer/src/i18n/zh-CN.js'

const placeholders = (text: string) => (text.match(/\{\{\w+\}\}/g) ?? []).sort()

describe('message catalogues', () => {
  it('zh-CN has exactly the keys of en', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort())
  })

  it('every text is non-empty and keeps the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe('')
      expect(zhCN[key].trim(), key).not.toBe('')
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]))
    }
  })

  it('Chinese texts are translated (only names, codes and symbols may stay identical)', () => {
    const same = (Object.keys(en) as (keyof typeof en)[]).filter(
      (k) => en[k] === zhCN[k] && /[a-z]{3,}/.test(en[k]),
    )
    expect(same).toEqual(['app.title', 'lang.en'])
  })
})
