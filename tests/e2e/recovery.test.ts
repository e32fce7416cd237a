import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../harness/chromium.js'
import type { MariaDb } from '../harness/mariadb.js'
import type { Sshd } from '../harness/sshd.js'
import { startWebApp } from '../harness/web-app.js'
import { checksums, hostDir, startDamagedNode } from '../integration/restore/helpers.js'
import {
  expectFullyTranslated,
  goTo,
  openConsole,
  row,
  screenshot,
  screenshotFailedSteps,
  setLanguage,
} from './console-page.js'

/**
 * The standalone recovery wizard in Chromium against a real loopback sshd and MariaDB: find a dump
 * on a "backup host" over SSH (trusting its host key by fingerprint), pick it from the catalog, copy
 * it here and check its SHA-256, plan the restore onto a damaged management database, confirm by
 * typing the host's name, follow the live log, and end with a verified restore.
 */
const FILE = 'zstack-backup-db-2026-11-21_04-05-06.gz'
const ROOT_PASSWORD = `Mysql-Root-${process.pid}-密码`
let sha256 = ''
let db: MariaDb
let original: Record<string, string>
let damaged: Record<string, string>

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
  // A real ZStack 3.0.0 management database: the backup, and a damaged live copy to restore over.
  let fixture: string
  ;[app, browser, { db, sshd, backup: fixture, original, damaged }] = await Promise.all([
    startWebApp(),
    launchChromium(),
    startDamagedNode(ROOT_PASSWORD),
  ])
  copyFileSync(fixture, join(work, 'mysql-backup', FILE))
  chmodSync(join(work, 'mysql-backup', FILE), 0o644)
  sha256 = createHash('sha256').update(readFileSync(fixture)).digest('hex')
  ;({ context, page } = await openConsole(browser, app.host.url, problems))
}, 240_000)

screenshotFailedSteps(() => page)

afterAll(async () => {
  await context?.close()
  await browser?.close()
  await sshd?.stop()
  await db?.stop()
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

  it('plans the restore (dry run), changing nothing', async () => {
    await page.getByTestId('fetch-next').click()
    await page.getByTestId('rs-host').fill('127.0.0.1')
    await page.getByTestId('rs-port').fill(String(sshd.port))
    await page.getByTestId('rs-user').fill(sshd.user)
    await page.getByTestId('rs-mysql-password').fill(ROOT_PASSWORD)
    await page.getByTestId('rs-mysql-host').fill('127.0.0.1')
    await page.getByTestId('rs-mysql-port').fill(String(db.port))
    await page.getByTestId('rs-safety-dir').fill(hostDir('zsdr-e2e-safety-'))
    // A volume moved after the backup: the plan refuses until the drift is accepted by typing.
    await db.sql(
      "UPDATE zstack.VolumeEO SET installPath = CONCAT(installPath, '.moved') WHERE deleted IS NULL LIMIT 1",
    )
    damaged = await checksums(db)
    await page.getByTestId('rs-plan').click()
    const plan = page.getByTestId('rs-plan-view')
    await expect.poll(() => plan.getAttribute('data-ok'), { timeout: 60_000 }).toBe('false')
    const installPath = page.getByTestId('rs-drift-install-path')
    expect(await installPath.getAttribute('data-accepted')).toBe('false')
    expect(await page.getByTestId('rs-drift').getAttribute('data-status')).toBe('known')
    expect(await page.locator('[data-testid=rs-drift] tr[data-kind=host] td').nth(3).textContent()).toBe('20')
    await screenshot(page, 'recovery-drift-en')
    await page.getByTestId('rs-drift-accept').fill('ACCEPT DRIFT')
    await expect.poll(() => plan.getAttribute('data-ok'), { timeout: 60_000 }).toBe('true')
    expect(await installPath.getAttribute('data-accepted')).toBe('true')
    expect(await page.getByTestId('rs-databases').textContent()).toBe('zstack, zstack_rest, zstack_ui')
    expect(
      await page.locator('[data-testid=rs-checks] [data-check=mysql_login]').getAttribute('data-status'),
    ).toBe('ok')
    expect(await plan.textContent()).toContain(sshd.hostKeyFingerprint)
    expect(await checksums(db)).toEqual(damaged)
    await screenshot(page, 'recovery-plan-en')
  }, 90_000)

  it('restores only after the host name is typed, shows the live log and a verified outcome', async () => {
    await page.getByTestId('rs-start').click()
    const dialog = page.locator('dialog[open]')
    await expect.poll(() => dialog.getByTestId('confirm-typed').count(), { timeout: 60_000 }).toBe(1)
    expect(await dialog.getByTestId('confirm-ok').isDisabled()).toBe(true)
    await dialog.getByTestId('confirm-typed').fill('not-this-host')
    expect(await dialog.getByTestId('confirm-ok').isDisabled()).toBe(true)
    const expected =
      (await dialog.locator('.typed span').textContent())?.match(/Type (\S+) to confirm/)?.[1] ?? ''
    await dialog.getByTestId('confirm-typed').fill(expected)
    await screenshot(page, 'recovery-confirm-en')
    await dialog.getByTestId('confirm-ok').click()
    const outcome = page.getByTestId('rs-outcome')
    await expect.poll(() => outcome.getAttribute('data-outcome'), { timeout: 120_000 }).toBe('restored')
    expect(await page.getByTestId('rs-log').textContent()).toContain('[verify]')
    expect((await page.getByTestId('rs-verification').textContent())?.length).toBeGreaterThan(10)
    expect(await page.getByTestId('rs-report').textContent()).toMatch(/\.txt/)
    expect(await checksums(db)).toEqual(original)
    await screenshot(page, 'recovery-restored-en')
  }, 150_000)

  it('is fully translated in Chinese', async () => {
    await setLanguage(page, 'zh-CN')
    await expectFullyTranslated(page, 'zh-CN')
    await screenshot(page, 'recovery-restored-zh-CN')
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
