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
import { cpus, loadavg } from 'node:os'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../harness/chromium.js'
import { startWebApp } from '../harness/web-app.js'

const ROWS = 100_000
const CONNECTION = {
  connectionId: '0123456789abcdef',
  name: 'bench-node',
  endpoint: 'http://127.0.0.1:8080/zstack',
  accountName: 'admin',
  connected: true,
  webhookUrl: null,
  lastConnectedAt: new Date().toISOString(),
}
/** The screen's list query, by whichever door it uses (the node's query or the cache's). */
const QUERY_CALLS = new Set(['zstack.query', 'cache.query'])

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
    else if (name === 'zstack.session.check') value = { valid: true }
    else if (QUERY_CALLS.has(name) && req.resource === 'volumeBackups') {
      const start = req.start ?? 0
      const page = rows.slice(start, start + (req.limit ?? rows.length))
      value = {
        inventories: page,
        ...(req.replyWithCount ? { total: rows.length } : {}),
        source: 'cache',
        cache: { syncedAt: null, ageSeconds: null },
      }
    } else if (QUERY_CALLS.has(name))
      value = { inventories: [], source: 'cache', cache: { syncedAt: null, ageSeconds: null } }
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
  longTasks: number
  medianFrameGap: number
  p95FrameGap: number
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
      .filter((e) => /\/api\/call\/(zstack|cache)\.query/.test(e.name))
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
    const gaps: number[] = []
    // Sizes are read once: reading layout inside the loop would force extra layouts and measure the bench, not the page.
    const step = grid.clientHeight
    const end = grid.scrollHeight - step
    for (let top = step; top <= end + step; top += step) {
      grid.scrollTop = top
      await new Promise((r) => requestAnimationFrame(r))
      const now = performance.now()
      gap = Math.max(gap, now - last)
      gaps.push(now - last)
      last = now
      frames++
    }
    gaps.sort((a, b) => a - b)
    // Let the last long task (if any) be reported.
    await new Promise((r) => setTimeout(r, 200))
    const tasks = w.__longtasks.filter((t) => t.start >= since)
    return {
      longest: Math.max(0, ...tasks.map((t) => t.duration)),
      longTasks: tasks.length,
      gap,
      medianGap: gaps[Math.floor(gaps.length / 2)] ?? 0,
      p95Gap: gaps[Math.floor(gaps.length * 0.95)] ?? 0,
      frames,
    }
  })
  await context.close()
  return {
    firstRowFromNavigation: first.at,
    firstRowAfterData: first.at - first.dataAt,
    longestTaskWhileScrolling: scroll.longest,
    longestFrameGap: scroll.gap,
    longTasks: scroll.longTasks,
    medianFrameGap: scroll.medianGap,
    p95FrameGap: scroll.p95Gap,
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
      `  scrolling top to bottom, one screen per frame: ${result.frames} frames; frame time median ${round(result.medianFrameGap)} ms, p95 ${round(result.p95FrameGap)} ms, max ${round(result.longestFrameGap)} ms`,
    )
    console.log(
      `  long tasks while scrolling: ${result.longTasks} of ${result.frames} frames, longest ${round(result.longestTaskWhileScrolling)} ms (target: none > 50 ms)`,
    )
    console.log(
      `  machine load average while measuring: ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`,
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
