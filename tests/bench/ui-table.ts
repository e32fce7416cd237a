/// <reference lib="dom" />
/**
 * `ui-table`: the volume-backup screen in Debian's Chromium with 100,000 rows.
 *
 * Measures (1) first rows painted, counted from the moment the first page of data has arrived in
 * the page (its Resource Timing `responseEnd`), and from navigation start; (2) the longest main-thread
 * task (PerformanceObserver `longtask`) and the longest gap between animation frames while the grid
 * is scrolled from top to bottom one screen per frame, after every row is loaded.
 *
 * The API replies are served by Playwright from memory (`page.route`), so the figures are the
 * renderer's alone: the cache's own query speed has its own benchmark. Baseline: the same screen,
 * same code path, with 100 rows: the ratio shows what 1,000× the data costs the first paint.
 */
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../harness/chromium.js'
import { startWebApp } from '../harness/web-app.js'

const ROWS = 100_000
const CONNECTION = {
  id: 'bench',
  name: 'bench-node',
  endpoint: 'http://127.0.0.1:8080/zstack',
  accountName: 'admin',
  online: true,
  offlineSince: null,
  lastSyncAt: new Date().toISOString(),
}

function volumeBackups(n: number): Record<string, unknown>[] {
  const statuses = ['Ready', 'Creating', 'Deleted']
  return Array.from({ length: n }, (_, i) => {
    const hex = i.toString(16).padStart(8, '0')
    return {
      uuid: `${hex}aaaabbbbccccdddd0000${hex}`.slice(0, 32),
      name: `backup-${i}`,
      status: statuses[i % 3],
      state: 'Enabled',
      size: (i % 500) * 1_073_741_824 + 4096,
      type: 'Local',
      volumeUuid: `${hex}11112222333344445555`.padEnd(32, '0'),
      groupUuid: i % 4 === 0 ? `${hex}9999888877776666`.padEnd(32, '0') : null,
      createDate: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      lastOpDate: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    }
  })
}

async function serveApi(page: Page, rows: Record<string, unknown>[]): Promise<void> {
  await page.route('**/api/call/**', async (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop() ?? '')
    const req = (route.request().postDataJSON() ?? {}) as {
      resource?: string
      limit?: number
      start?: number
      replyWithCount?: boolean
    }
    let value: unknown
    if (name === 'zstack.connections.list') value = [CONNECTION]
    else if (name === 'cache.query' && req.resource === 'volume-backups') {
      const start = req.start ?? 0
      const page = rows.slice(start, start + (req.limit ?? 1000))
      value = req.replyWithCount ? { inventories: page, total: rows.length } : { inventories: page }
    } else if (name === 'cache.query') value = { inventories: [] }
    else return route.continue()
    await route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ ok: true, value }),
    })
  })
}

/** Records long tasks and the moment the first data row appears, from before the app's first script. */
const INSTRUMENT = `
  window.__longtasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration }) })
    .observe({ type: 'longtask', buffered: true });
  new MutationObserver((_m, obs) => {
    if (document.querySelector('[role=row][data-key]')) { window.__firstRowAt = performance.now(); obs.disconnect() }
  }).observe(document, { childList: true, subtree: true });
`

interface Figures {
  firstRowFromNavigation: number
  firstRowAfterData: number
  longestTaskWhileScrolling: number
  longestFrameGap: number
  frames: number
}

async function measure(browser: Browser, url: string, rows: Record<string, unknown>[]): Promise<Figures> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } })
  const page = await context.newPage()
  await serveApi(page, rows)
  await page.addInitScript(INSTRUMENT)
  await page.goto(`${url}#/volume-backups`)
  await page.waitForSelector('[role=row][data-key]')
  const first = await page.evaluate(() => {
    const w = window as unknown as { __firstRowAt: number }
    const data = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('/api/call/cache.query'))
      .map((e) => (e as PerformanceResourceTiming).responseEnd)
    return { at: w.__firstRowAt, dataAt: Math.min(...data) }
  })
  // Every page loaded: the count shows all rows and the loading note is gone.
  await page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid=vb-table-count]')?.textContent?.replace(/\D/g, '') === String(n) &&
      !document.querySelector('[data-testid=vb-loading]'),
    rows.length,
    { timeout: 120_000 },
  )
  const scroll = await page.evaluate(async () => {
    const w = window as unknown as { __longtasks: { start: number; duration: number }[] }
    const grid = document.querySelector('[data-testid=vb-table-grid]') as HTMLElement
    const since = performance.now()
    let last = since
    let gap = 0
    let frames = 0
    while (grid.scrollTop + grid.clientHeight < grid.scrollHeight - 1) {
      grid.scrollTop += grid.clientHeight
      await new Promise((r) => requestAnimationFrame(r))
      const now = performance.now()
      gap = Math.max(gap, now - last)
      last = now
      frames++
    }
    // Let the last long task (if any) be reported.
    await new Promise((r) => setTimeout(r, 200))
    const tasks = w.__longtasks.filter((t) => t.start >= since)
    return { longest: Math.max(0, ...tasks.map((t) => t.duration)), gap, frames }
  })
  await context.close()
  return {
    firstRowFromNavigation: first.at,
    firstRowAfterData: first.at - first.dataAt,
    longestTaskWhileScrolling: scroll.longest,
    longestFrameGap: scroll.gap,
    frames: scroll.frames,
  }
}

const round = (n: number) => Math.round(n * 10) / 10

export default async function uiTable(): Promise<void> {
  const app = await startWebApp()
  const browser = await launchChromium()
  try {
    const big = volumeBackups(ROWS)
    const small = volumeBackups(100)
    // A warm-up run so that both measured runs find the browser's caches in the same state.
    await measure(browser, app.host.url, small)
    const baseline = await measure(browser, app.host.url, small)
    const result = await measure(browser, app.host.url, big)
    console.log(`ui-table: ${ROWS} rows; baseline ${small.length} rows`)
    console.log(
      `  first rows after data arrived: ${round(result.firstRowAfterData)} ms (100 rows: ${round(baseline.firstRowAfterData)} ms; target < 500 ms)`,
    )
    console.log(
      `  first rows from navigation:    ${round(result.firstRowFromNavigation)} ms (100 rows: ${round(baseline.firstRowFromNavigation)} ms)`,
    )
    console.log(
      `  scrolling top to bottom: ${result.frames} frames, longest task ${round(result.longestTaskWhileScrolling)} ms (0 = none over 50 ms; target none > 50 ms), longest frame gap ${round(result.longestFrameGap)} ms`,
    )
    console.log(
      JSON.stringify({
        bench: 'ui-table',
        value: round(result.firstRowAfterData),
        unit: 'ms',
        baseline: round(baseline.firstRowAfterData),
        ratio: round(result.firstRowAfterData / Math.max(baseline.firstRowAfterData, 0.1)),
      }),
    )
  } finally {
    await browser.close()
    await app.stop()
  }
}
