import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { formatAge, reportText } from '../../../src-main/overview/report-text.js'
import { HOUR, store, vm, volumeBackup, type World, world } from '../../fixtures/overview/inventory.js'

let w: World
beforeEach(() => {
  w = world()
})
afterEach(() => w.close())

/** Names come from the management node: in a file they stay data, never a formula or markup. */
describe('overview exports', () => {
  it('CSV: a name a spreadsheet would run is kept as text; quotes and commas are quoted', () => {
    const id = w.connection('c')
    const bad = vm('=HYPERLINK("http://x","click"),1')
    const bs = store('bs,"one"', 'Connected', '10.0.0.1')
    w.sync(id, {
      imageStoreBackupStorages: [bs],
      vmInstances: [bad.vm],
      volumes: [bad.root],
      volumeBackups: [volumeBackup(bad.root.uuid as string, HOUR, [bs])],
    })
    const { text, mimeType, fileName } = w.overview.exportReport([id], 'csv', 'en')
    expect(mimeType).toBe('text/csv')
    expect(fileName).toMatch(/^zsdr-overview-\d{8}-\d{4}\.csv$/)
    const row = text.split('\n')[1]!
    expect(row).toContain(`"'=HYPERLINK(""http://x"",""click""),1"`)
    expect(row).toContain(`"bs,""one"""`)
  })

  it('HTML: markup in a name is escaped, no script, a CSP that forbids loading anything', () => {
    const id = w.connection('<img src=x onerror=alert(1)>')
    const bad = vm('</td><script>alert(1)</script>')
    w.sync(id, { vmInstances: [bad.vm], volumes: [bad.root] })
    const { text } = w.overview.exportReport([id], 'html', 'zh-CN')
    expect(text).not.toMatch(/<script|<img/)
    expect(text).toContain('&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(text).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`)
    expect(text).toContain('<html lang="zh-CN">')
    expect(text).toContain('从未备份')
  })

  it('ages read as the two largest units', () => {
    const en = reportText('en')
    expect(formatAge(null, en)).toBe('never')
    expect(formatAge(0, en)).toBe('0 s')
    expect(formatAge(90_061, en)).toBe('1 d 1 h')
    expect(formatAge(3_600, en)).toBe('1 h')
    expect(formatAge(3_661, reportText('zh-CN'))).toBe('1 小时 1 分钟')
  })
})
