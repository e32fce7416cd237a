import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../harness/chromium.js'
import { type Sshd, startSshd } from '../harness/sshd.js'
import { startWebApp } from '../harness/web-app.js'
import { expectFullyTranslated, goTo, row, screenshot, setLanguage } from './console-page.js'

/**
 * The standalone recovery wizard in Chromium against a real loopback sshd: find a dump file on a
 * "backup host" over SSH (trusting its host key by fingerprint), pick it from the catalog, copy it
 * here and check its SHA-256.
 */
const FILE = 'zstack-backup-db-2026-11-21_04-05-06.gz'
const dump = gzipSync(
  Buffer.concat([Buffer.from('-- MySQL dump\nCREATE DATABASE zstack;\n'), randomBytes(300_000)]),
)
const sha256 = createHash('sha256').update(dump).digest('hex')

let app: Awaited<ReturnType<typeof startWebApp>>
let sshd: Sshd
let browser: Browser
let context: BrowserContext
let page: Page
let work: string
const problems: string[] = []

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'zsdr-e2e-rec-'))
  chmodSync(work, 0o755)
  mkdirSync(join(work, 'mysql-backup'), { mode: 0o755 })
  writeFileSync(join(work, 'mysql-backup', FILE), dump, { mode: 0o644 })
  ;[app, sshd, browser] = await Promise.all([startWebApp(), startSshd(), launchChromium()])
  context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } })
  page = await context.newPage()
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  await page.goto(app.host.url)
}, 120_000)

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail')
    await screenshot(page, `failed-${ctx.task.name.replace(/\W+/g, '-')}`)
})

afterAll(async () => {
  await context?.close()
  await browser?.close()
  await sshd?.stop()
  await app?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('standalone recovery wizard', () => {
  it('searches a backup host over SSH after the user checks its host key fingerprint', async () => {
    await goTo(page, 'recovery')
    const host = page.getByTestId('source-host').first()
    await host.getByTestId('src-host').fill('127.0.0.1')
    await host.getByTestId('src-port').fill(String(sshd.port))
    await host.getByTestId('src-user').fill(sshd.user)
    await host.getByTestId('src-password').fill(sshd.password)
    await host.getByRole('checkbox', { name: 'Image store (zsbak)' }).uncheck()
    await page.getByText('Advanced').click()
    await page.getByTestId('src-dump-dirs').fill(join(work, 'mysql-backup'))
    await screenshot(page, 'recovery-sources-en')
    await page.getByTestId('scan').click()

    const prompt = page.getByTestId('host-key-prompt')
    await expect.poll(() => prompt.isVisible(), { timeout: 15_000 }).toBe(true)
    expect(await prompt.getByTestId('host-key-fingerprint').textContent()).toBe(sshd.hostKeyFingerprint)
    await screenshot(page, 'recovery-host-key-en')
    await prompt.getByTestId('host-key-accept').click()

    await expect
      .poll(() => page.getByTestId('scan-results').textContent(), { timeout: 20_000 })
      .toContain('1 backup(s) found')
    expect(await page.getByTestId('scan-results').textContent()).toContain(sshd.hostKeyFingerprint)
    // The password went to the vault; the field is empty again.
    expect(await host.getByTestId('src-password').inputValue()).toBe('')
  })

  it('picks the backup from the catalog and copies it here with its checksum', async () => {
    await page.getByTestId('scan-next').click()
    await expect.poll(() => row(page, 'catalog', FILE).count()).toBe(1)
    await row(page, 'catalog', FILE).click()
    await screenshot(page, 'recovery-backup-en')
    await page.getByTestId('backup-next').click()
    await page.getByTestId('fetch').click()
    await expect
      .poll(() => page.getByTestId('fetched-sha256').textContent(), { timeout: 30_000 })
      .toBe(sha256)
    await screenshot(page, 'recovery-fetch-en')
  })

  it('is fully translated in Chinese', async () => {
    await setLanguage(page, 'zh-CN')
    for (const step of ['fetch', 'backup', 'sources'] as const) {
      await page.getByTestId(`step-${step}`).click()
      await expectFullyTranslated(page, 'zh-CN')
      await screenshot(page, `recovery-${step}-zh-CN`)
    }
    await setLanguage(page, 'en')
  })

  it('logged no error and no CSP violation', () => {
    expect(problems).toEqual([])
  })
})
