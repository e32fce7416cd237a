import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../harness/chromium.js'
import { ARTIFACTS_DIR, startWebApp } from '../harness/web-app.js'

let app: Awaited<ReturnType<typeof startWebApp>>
let browser: Browser

beforeAll(async () => {
  app = await startWebApp()
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

describe('first screen in Chromium through the web host', () => {
  it('shows the page but answers no API call without the token', async () => {
    const page = await browser.newPage()
    await page.goto(app.host.origin)
    await expect.poll(() => page.getByTestId('health-status').textContent()).toContain('HTTP 401')
    await page.close()
  })

  it('renders, answers the health call, and switches language', async () => {
    const context = await browser.newContext({ locale: 'en-US' })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text())
    })
    page.on('pageerror', (e) => problems.push(e.message))

    await page.goto(app.host.url)
    expect(page.url()).not.toContain('token')
    await expect.poll(() => page.getByTestId('health-status').getAttribute('data-status')).toBe('ok')
    await expect.poll(() => page.getByTestId('app-version').textContent()).toContain('0.1.0')
    expect(await page.locator('h1').textContent()).toBe('ZStack DR Desk')
    expect(await page.getByTestId('health-status').textContent()).toContain('All checks passed')
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'first-screen-en.png') })

    await page.getByTestId('language').selectOption('zh-CN')
    await expect.poll(() => page.getByTestId('health-status').textContent()).toContain('全部检查通过')
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')
    const body = (await page.locator('body').textContent()) ?? ''
    expect(body).not.toContain('⟦')
    expect(body).not.toContain('All checks passed')
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'first-screen-zh-CN.png') })

    // The choice is remembered across a reload.
    await page.reload()
    await expect.poll(() => page.getByTestId('health-status').textContent()).toContain('全部检查通过')
    expect(problems).toEqual([])
    await context.close()
  })

  it('follows a Chinese browser locale on first visit', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' })
    const page = await context.newPage()
    await page.goto(app.host.url)
    await expect.poll(() => page.locator('header p').textContent()).toBe('ZStack 云灾备控制台')
    await context.close()
  })
})
