import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterEach, expect } from 'vitest'
import { en } from '../../src-renderer/src/i18n/en.js'
import { zhCN } from '../../src-renderer/src/i18n/zh-CN.js'
import { launchChromium } from '../harness/chromium.js'
import { SIM_PASSWORD, type Simulator, startTestSimulator } from '../harness/simulator.js'
import { ARTIFACTS_DIR, startWebApp } from '../harness/web-app.js'
import type { SimulatorOptions } from '../sim/simulator.js'

/**
 * Helpers over the console in Chromium: navigation, table rows, dialogs, operations, and the
 * language checks (no `⟦key⟧`, no English UI text left on a zh-CN screen).
 */
export type Screen =
  | 'overview'
  | 'connections'
  | 'volume-backups'
  | 'vm-backups'
  | 'database-backups'
  | 'recovery'
  | 'jobs'
  | 'schedules'

export async function goTo(page: Page, screen: Screen): Promise<void> {
  await page.getByTestId(`nav-${screen}`).click()
  await expect.poll(() => page.locator('main').getAttribute('data-screen')).toBe(screen)
}

export function row(page: Page, table: string, text: string) {
  return page.locator(`[data-testid=${table}-grid] [role=row][data-key]`, { hasText: text })
}

export async function rowCount(page: Page, table: string): Promise<number> {
  const text = (await page.getByTestId(`${table}-count`).textContent()) ?? ''
  return Number(text.replace(/\D/g, ''))
}

/** The dialog that is open now (there is at most one modal at a time). */
export function openDialog(page: Page) {
  return page.locator('dialog[open]')
}

/** Waits for the newest operation shown on the screen to end, and returns its state. */
/**
 * Runs `action` (the click that starts a DR operation) and returns how that operation ended. It
 * waits for a new operation to head the list first, so a finished earlier one is never mistaken for it.
 */
export async function operationOutcome(page: Page, action: () => Promise<void>): Promise<string | null> {
  const first = page.getByTestId('op-progress').first()
  const before = (await first.count()) > 0 ? await first.getAttribute('data-op') : null
  await action()
  await expect
    .poll(async () => ((await first.count()) > 0 ? first.getAttribute('data-op') : before))
    .not.toBe(before)
  await expect.poll(() => first.getAttribute('data-state'), { timeout: 20_000 }).not.toBe('running')
  return first.getAttribute('data-state')
}

/**
 * Opens the console at `url` in a fresh English 1400×900 context (clipboard allowed, for the copy
 * buttons); console errors and warnings and page errors are collected into `problems`.
 */
export async function openConsole(
  browser: Browser,
  url: string,
  problems: string[],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  const page = await context.newPage()
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  await page.goto(url)
  return { context, page }
}

export interface ConsoleSession {
  app: Awaited<ReturnType<typeof startWebApp>>
  sim: Simulator
  browser: Browser
  context: BrowserContext
  page: Page
  /** Console errors and warnings and page errors seen so far. */
  problems: string[]
  /** Stops everything started here (the simulator may already be closed by the test). */
  stop(): Promise<void>
}

/** The web host, a simulator and Chromium started side by side, with the console open in English. */
export async function startConsoleSession(sim: SimulatorOptions): Promise<ConsoleSession> {
  const [app, simulator, browser] = await Promise.all([
    startWebApp(),
    startTestSimulator(sim),
    launchChromium(),
  ])
  const problems: string[] = []
  const { context, page } = await openConsole(browser, app.host.url, problems)
  return {
    app,
    sim: simulator,
    browser,
    context,
    page,
    problems,
    async stop() {
      await context.close()
      await browser.close()
      await simulator.close()
      await app.stop()
    },
  }
}

/** Adds the simulator as connection `name` on the Connections screen and syncs its offline inventory. */
export async function connectAndSync(page: Page, baseUrl: string, name: string): Promise<void> {
  await goTo(page, 'connections')
  await page.getByTestId('conn-add').click()
  await page.getByTestId('conn-name').fill(name)
  await page.getByTestId('conn-endpoint').fill(baseUrl)
  await page.getByTestId('conn-password').fill(SIM_PASSWORD)
  await page.getByTestId('conn-submit').click()
  const card = page.locator(`[data-testid=connection][data-name=${name}]`)
  await expect.poll(() => card.getByTestId('connection-status').textContent()).toContain('Online')
  await card.getByTestId('conn-sync').click()
  await expect
    .poll(() => card.getByTestId('cache-status').getAttribute('data-synced'), { timeout: 30_000 })
    .toBe('true')
}

/** A failed step leaves a picture of the page behind, next to the other screenshots. */
export function screenshotFailedSteps(page: () => Page): void {
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail')
      await screenshot(page(), `failed-${ctx.task.name.replace(/\W+/g, '-')}`)
  })
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) })
}

/**
 * English fragments that must not remain once the page is in zh-CN: every literal piece (between
 * `{{...}}` placeholders) of every English text whose Chinese text differs, 4+ letters long.
 */
const ENGLISH_FRAGMENTS: string[] = (Object.keys(en) as (keyof typeof en)[])
  .filter((k) => en[k] !== zhCN[k])
  .flatMap((k) => en[k].split(/\{\{\w+\}\}/))
  .map((f) => f.trim())
  .filter((f) => /[A-Za-z]{4,}/.test(f) && f.length >= 6)

/**
 * Visible text of the page: body text, plus accessible names and titles of controls. Elements marked
 * `data-backend-text` (live logs the backend writes in English only) are left out, and so are the
 * titles of `data-raw` elements (the node's own word behind a translated status).
 */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const attrs = [...document.querySelectorAll('[aria-label],[title],[placeholder]')].flatMap((el) =>
      ['aria-label', 'title', 'placeholder']
        .filter((a) => !(a === 'title' && el.hasAttribute('data-raw')))
        .map((a) => el.getAttribute(a) ?? ''),
    )
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is wanted (words kept apart, hidden parts left out)
    let text = document.body.innerText
    for (const el of document.querySelectorAll<HTMLElement>('[data-backend-text]')) {
      // biome-ignore lint/performance/useDomNodeTextContent: same text as above, to remove it
      text = text.replace(el.innerText, '')
    }
    return `${text}\n${attrs.join('\n')}`
  })
}

export async function expectFullyTranslated(page: Page, locale: 'en' | 'zh-CN'): Promise<void> {
  const text = await visibleText(page)
  expect(text).not.toContain('⟦')
  if (locale === 'zh-CN') {
    // Whole words only: identifiers such as API names (`DeleteVolumeBackup`) are data, not UI text.
    const left = ENGLISH_FRAGMENTS.filter((f) =>
      new RegExp(`(^|[^A-Za-z])${escapeRegExp(f)}($|[^A-Za-z])`).test(text),
    )
    expect(left, `English UI text left on a zh-CN screen: ${left.join(' | ')}`).toEqual([])
  }
}

export async function setLanguage(page: Page, locale: 'en' | 'zh-CN'): Promise<void> {
  await page.getByTestId('language').selectOption(locale)
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(locale)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
