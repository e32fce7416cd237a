import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../harness/simulator.js'
import {
  type ConsoleSession,
  connectAndSync,
  expectFullyTranslated,
  goTo,
  screenshot,
  screenshotFailedSteps,
  setLanguage,
  startConsoleSession,
} from './console-page.js'

/**
 * The protection overview in Chromium through the web host: the demo cloud connected and synced,
 * then the overview online, its links, exports and languages, then again with the node down,
 * from the offline inventory alone.
 */
let session: ConsoleSession
let page: Page
let sim: Simulator

beforeAll(async () => {
  session = await startConsoleSession({ seed: 'demo' })
  ;({ page, sim } = session)
}, 120_000)

screenshotFailedSteps(() => page)

afterAll(() => session?.stop())

const counts = () => page.getByTestId('ov-counts').textContent()

describe('protection overview', () => {
  it('connects and syncs the demo cloud', async () => {
    await connectAndSync(page, sim.baseUrl, 'sim-node')
  })

  it('is the first screen once a connection exists: counts, cache age, breaches first, charts', async () => {
    // When the counts first appear, and the frame after: the first paint of the overview's data.
    await page.addInitScript(() => {
      const seen = new MutationObserver(() => {
        if (!document.querySelector('[data-testid=ov-counts]')) return
        seen.disconnect()
        requestAnimationFrame(() => Object.assign(window, { ovPaintAt: performance.now() }))
      })
      seen.observe(document, { childList: true, subtree: true })
    })
    await page.goto(session.app.host.url.replace(/#.*$/, ''))
    await expect.poll(() => page.locator('main').getAttribute('data-screen')).toBe('overview')
    await expect.poll(counts).toContain('3 of 3 VMs outside 24 h; 1 never backed up')
    expect(await counts()).toContain('4 of 4 data volumes outside 24 h; 1 never backed up')
    expect(await page.getByTestId('ov-cache-age').textContent()).toMatch(/offline inventory synced/)
    const paintMs = await page.evaluate(() => {
      const reply = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/call/overview.get'))
        .at(-1) as PerformanceResourceTiming
      return (window as unknown as { ovPaintAt: number }).ovPaintAt - reply.responseEnd
    })
    console.log(`overview: first paint ${paintMs.toFixed(1)} ms after the data arrived`)
    expect(paintMs).toBeLessThan(200)
    const first = page.getByTestId('ov-item').first()
    expect(await first.textContent()).toContain('never')
    expect(await page.getByTestId('ov-stores').textContent()).toContain('bs-broken')
    expect(await page.getByTestId('ov-database').textContent()).toContain('If the node died now')
    // uPlot draws on canvases; each chart has one with a real size.
    for (const chart of ['ov-daily-chart', 'ov-age-chart']) {
      const box = await page.getByTestId(chart).locator('canvas').boundingBox()
      expect(box?.width).toBeGreaterThan(200)
    }
    await screenshot(page, 'overview-online-en')
    await page.getByTestId('ov-items').scrollIntoViewIfNeeded()
    await screenshot(page, 'overview-charts-en')
    await expectFullyTranslated(page, 'en')
  })

  it('a VM leads to its backups, filtered; a store to the backups it holds', async () => {
    await page.getByTestId('ov-item-link').getByText('vm-web', { exact: true }).click()
    await expect.poll(() => page.locator('main').getAttribute('data-screen')).toBe('volume-backups')
    const grid = page.getByTestId('vb-table-grid')
    await expect.poll(() => grid.textContent()).toContain('web-root-weekly')
    expect(await grid.textContent()).not.toContain('vm-db-backup')
    await page.goBack()
    await expect.poll(() => page.locator('main').getAttribute('data-screen')).toBe('overview')
    await page.getByTestId('ov-store-link').filter({ hasText: 'bs-dr' }).click()
    await expect.poll(() => grid.textContent()).toContain('vm-db-backup-root')
    expect(await grid.textContent()).not.toContain('web-data-daily')
    await goTo(page, 'overview')
  })

  it('exports CSV and a self-contained HTML report in the chosen language', async () => {
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('ov-export-csv').click(),
    ])
    const csvText = readFileSync((await csv.path())!, 'utf8')
    expect(csvText.split('\n')[0]).toMatch(/^connection,endpoint,generated_at,cache_age_seconds/)
    expect(csvText).toContain(',vm-app,')
    await page.getByTestId('ov-report-lang').selectOption('zh-CN')
    const [html] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('ov-export-html').click(),
    ])
    expect(html.suggestedFilename()).toMatch(/^zsdr-overview-.*\.html$/)
    const htmlText = readFileSync((await html.path())!, 'utf8')
    expect(htmlText).toContain('<html lang="zh-CN">')
    expect(htmlText).toContain('sim-node')
    expect(htmlText).toContain('离线清单的时效')
  })

  it('the RPO target is editable and changes the counts', async () => {
    await page.getByTestId('ov-rpo').fill('48')
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(counts).toContain('3 of 3 VMs outside 48 h')
  })

  it('shows every word in Chinese', async () => {
    await setLanguage(page, 'zh-CN')
    await expect.poll(counts).toContain('3 台云主机中有 3 台超出 48 小时；1 台从未备份')
    await expectFullyTranslated(page, 'zh-CN')
    await screenshot(page, 'overview-online-zh-CN')
    await setLanguage(page, 'en')
  })

  it('answers with the node down, from the offline inventory, and says how old it is', async () => {
    await sim.close()
    await page.goto(session.app.host.url.replace(/#.*$/, ''))
    await expect.poll(() => page.locator('main').getAttribute('data-screen')).toBe('overview')
    await expect
      .poll(() => page.getByTestId('connection-status').textContent(), { timeout: 20_000 })
      .toContain('Offline')
    await expect.poll(counts).toContain('3 of 3 VMs outside 48 h; 1 never backed up')
    expect(await page.getByTestId('ov-cache-age').textContent()).toMatch(/offline inventory synced/)
    const banner = page.getByTestId('offline-banner')
    expect(await banner.textContent()).toContain('sim-node cannot be reached')
    await expect.poll(() => banner.textContent()).toContain('Showing cached data from')
    expect(await page.getByTestId('ov-sync').count()).toBe(0)
    await screenshot(page, 'overview-offline-en')
    await setLanguage(page, 'zh-CN')
    await expect.poll(counts).toContain('3 台云主机中有 3 台超出 48 小时')
    await expectFullyTranslated(page, 'zh-CN')
    expect(await page.getByTestId('ov-report-lang').inputValue()).toBe('zh-CN')
    await screenshot(page, 'overview-offline-zh-CN')
    expect(session.problems).toEqual([])
  })
})
