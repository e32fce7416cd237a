import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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
const TRUNCATED = 'zstack-backup-db-truncated.gz'
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
  // A local copy that stops half-way (an interrupted USB copy).
  mkdirSync(join(work, 'local'), { mode: 0o755 })
  const whole = readFileSync(fixture)
  writeFileSync(join(work, 'local', TRUNCATED), whole.subarray(0, Math.floor(whole.length / 2)))
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
  it('says nothing was searched when there is no host or folder', async () => {
    await goTo(page, 'recovery')
    await page.getByTestId('scan').click()
    expect(await page.getByTestId('scan-nothing').textContent()).toContain('Nothing was searched')
    expect(await page.getByTestId('op-progress').count()).toBe(0)
    expect(await page.getByTestId('scan-results').count()).toBe(0)
  })

  it('reports a refused host as not searched, and the search as failed', async () => {
    const host = page.getByTestId('source-host').first()
    await host.getByTestId('src-host').fill('127.0.0.1')
    await host.getByTestId('src-port').fill('1')
    await page.getByTestId('scan').click()
    const outcome = page.getByTestId('scan-outcome')
    await expect.poll(() => outcome.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('failed')
    expect(await outcome.textContent()).toContain('Nothing searched')
    expect(await outcome.textContent()).not.toContain('Succeeded')
    const result = page.getByTestId('scan-result')
    await expect.poll(() => result.getAttribute('data-searched')).toBe('false')
    expect(await result.textContent()).toContain('could not be searched')
    expect(await page.getByTestId('scan-results').textContent()).not.toMatch(/0 backups? found/)
    await screenshot(page, 'recovery-refused-en')
  })

  it('searches a backup host over SSH after the user checks its host key fingerprint', async () => {
    const host = page.getByTestId('source-host').first()
    await host.getByTestId('src-host').fill('127.0.0.1')
    await host.getByTestId('src-port').fill(String(sshd.port))
    await host.getByTestId('src-user').fill(sshd.user)
    await host.getByRole('checkbox', { name: 'Image store (zsbak)' }).uncheck()
    // The other ways to log in are there, in words: identity file, passphrase, jump host.
    await host.getByText('Key file and jump host').click()
    for (const id of ['src-identity', 'src-passphrase', 'src-jump'])
      expect(await host.getByTestId(id).count()).toBe(1)
    expect(await host.getByTestId('src-passphrase').isDisabled()).toBe(true)
    await page.getByText('Advanced').click()
    await page.getByTestId('src-dump-dirs').fill(join(work, 'mysql-backup'))
    await page.getByTestId('src-local-dirs').fill(join(work, 'local'))
    await screenshot(page, 'recovery-sources-en')
    // No password yet: the GUI's own advice (no command-line flags).
    await page.getByTestId('scan').click()
    await expect
      .poll(() => page.getByTestId('scan-results').textContent(), { timeout: 20_000 })
      .toContain('type the SSH password')
    expect(await page.getByTestId('scan-results').textContent()).not.toMatch(/--password-stdin|\(-i\)/)

    await host.getByTestId('src-password').fill(sshd.password)
    await page.getByTestId('scan').click()
    const prompt = page.getByTestId('host-key-prompt')
    await expect.poll(() => prompt.isVisible(), { timeout: 15_000 }).toBe(true)
    expect(await prompt.getByTestId('host-key-fingerprint').textContent()).toBe(sshd.hostKeyFingerprint)
    await screenshot(page, 'recovery-host-key-en')
    await prompt.getByTestId('host-key-accept').click()
    const results = async () => (await page.getByTestId('scan-results').textContent())?.replace(/\s+/g, ' ')
    await expect
      .poll(results, { timeout: 20_000 })
      .toContain(`${sshd.user}@127.0.0.1:${sshd.port}: 1 backup found`)
    expect(await results()).toContain('Folders on this computer: 1 backup found')
    expect(await page.getByTestId('scan-results').textContent()).toContain(sshd.hostKeyFingerprint)
    // The password went to the vault; the field is empty again.
    expect(await host.getByTestId('src-password').inputValue()).toBe('')
  })

  it('reports a truncated local file once', async () => {
    await page.getByTestId('scan-next').click()
    await expect.poll(() => row(page, 'catalog', TRUNCATED).count()).toBe(1)
    await row(page, 'catalog', TRUNCATED).click()
    await page.getByTestId('backup-next').click()
    await page.getByTestId('fetch').click()
    await expect
      .poll(() => page.getByTestId('op-progress').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('failed')
    expect(await page.getByTestId('error').count()).toBe(1)
    expect(await page.getByTestId('error').textContent()).toContain('truncated')
    await screenshot(page, 'recovery-truncated-en')
    await page.getByTestId('step-backup').click()
  })

  it('picks the backup from the catalog and copies it here with its checksum', async () => {
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
    // Without any way to log in, the window's own words (no command-line flags).
    await page.getByTestId('rs-port').fill('1')
    await page.getByTestId('rs-mysql-password').fill(ROOT_PASSWORD)
    await page.getByTestId('rs-plan').click()
    const sshCheck = page.locator('[data-testid=rs-checks] [data-check=ssh]')
    await expect.poll(() => sshCheck.textContent(), { timeout: 30_000 }).toContain('type the SSH password')
    expect(await sshCheck.textContent()).not.toMatch(/--password-stdin|\(-i\)/)
    // SSH refused: what is on the host is unknown, never "no zstack-ctl" or "no schema_version".
    await page.getByTestId('rs-user').fill(sshd.user)
    await page.getByTestId('rs-password').fill(sshd.password)
    await page.getByTestId('rs-mysql-password').fill(ROOT_PASSWORD)
    await page.getByTestId('rs-plan').click()
    const refusedPlan = page.getByTestId('rs-plan-view')
    await expect.poll(() => refusedPlan.getAttribute('data-ok'), { timeout: 30_000 }).toBe('false')
    const status = (id: string) =>
      page.locator(`[data-testid=rs-checks] [data-check=${id}]`).getAttribute('data-status')
    expect(await status('ssh')).toBe('fail')
    expect(await status('version')).toBe('unknown')
    expect(await refusedPlan.textContent()).toContain('not checked (no SSH connection)')
    expect(await refusedPlan.textContent()).not.toMatch(/no zstack-ctl found|no schema_version in the live/)
    await screenshot(page, 'recovery-plan-refused-en')
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
