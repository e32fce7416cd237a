import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SIM_PASSWORD, type Simulator, seeded } from '../harness/simulator.js'
import {
  type ConsoleSession,
  expectFullyTranslated,
  goTo,
  openDialog,
  operationOutcome,
  row,
  rowCount,
  type Screen,
  screenshot,
  screenshotFailedSteps,
  setLanguage,
  startConsoleSession,
} from './console-page.js'

/**
 * The console end to end in Debian's Chromium through the web host, against the ZStack simulator:
 * one browser session walks the workflows in order (connect, query, act, go offline), as a field
 * engineer would. The page must never log an error or a CSP violation.
 */
let session: ConsoleSession
let sim: Simulator
let page: Page
let problems: string[]

beforeAll(async () => {
  session = await startConsoleSession({ seed: 'demo', jobLatencyMs: 300 })
  ;({ sim, page, problems } = session)
}, 120_000)

screenshotFailedSteps(() => page)

afterAll(() => session?.stop())

describe('console against the simulator', () => {
  it('refuses a wrong password with the node’s message', async () => {
    await goTo(page, 'connections')
    await page.getByTestId('conn-add').click()
    await page.getByTestId('conn-endpoint').fill(sim.baseUrl)
    await page.getByTestId('conn-password').fill('wrong-password')
    await page.getByTestId('conn-submit').click()
    await expect.poll(() => page.getByTestId('error').getAttribute('data-code')).toBe('zstack.login_failed')
    await page.getByRole('button', { name: 'Cancel' }).click()
    const card = page.locator('[data-testid=connection]')
    await expect.poll(() => card.getByTestId('connection-status').textContent()).toContain('Not logged in')
  })

  it('connects to a management node', async () => {
    await page.getByTestId('conn-login').click()
    await page.getByTestId('conn-name').fill('sim-node')
    await page.getByTestId('conn-endpoint').fill(sim.baseUrl)
    await page.getByTestId('conn-password').fill(SIM_PASSWORD)
    await page.getByTestId('conn-submit').click()
    const card = page.locator('[data-testid=connection][data-name=sim-node]')
    await expect.poll(() => card.getByTestId('connection-status').textContent()).toContain('Online')
    expect(await page.getByTestId('conn-password').count()).toBe(0)
  })

  it('syncs the offline inventory with progress', async () => {
    const card = page.locator('[data-testid=connection][data-name=sim-node]')
    expect(await card.getByTestId('cache-status').getAttribute('data-synced')).toBe('false')
    await card.getByTestId('conn-sync').click()
    await expect
      .poll(() => card.getByTestId('op-progress').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('succeeded')
    await expect.poll(() => card.getByTestId('cache-status').getAttribute('data-synced')).toBe('true')
    expect(await card.getByTestId('cache-status').textContent()).toContain('5 volume backups')
    await screenshot(page, 'connections-en')
  })

  it('lists volume backups, queries them (valid and invalid) and opens details', async () => {
    await goTo(page, 'volume-backups')
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(5)
    const query = page.getByTestId('query-input')

    // Completion offers fields, then operators.
    await query.fill('na')
    await expect.poll(() => page.getByTestId('query-suggestions').textContent()).toContain('name')
    await query.press('Tab')
    await expect.poll(() => query.inputValue()).toBe('name')
    await expect.poll(() => page.getByTestId('query-suggestions').textContent()).toContain('~=')

    await query.fill('name~=web%')
    await query.press('Escape')
    await page.getByTestId('query-run').click()
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(2)

    // A condition a node would misread is refused locally, pointing at the character.
    await query.fill('name==web')
    await page.getByTestId('query-run').click()
    const error = page.getByTestId('query-error')
    await expect.poll(() => error.textContent()).toContain('starts with "="')
    expect(await error.textContent()).toContain('^')
    expect(await query.getAttribute('aria-invalid')).toBe('true')
    // An unknown field too.
    await query.fill('colour=red')
    await page.getByTestId('query-run').click()
    await expect.poll(() => error.textContent()).toContain('unknown field "colour"')
    await screenshot(page, 'volume-backups-query-error-en')

    await page.getByTestId('query-clear').click()
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(5)
    await row(page, 'vb-table', 'vm-db-backup-root').click()
    const detail = page.getByTestId('vb-table-detail')
    await expect.poll(() => detail.getByTestId('backup-refs').textContent()).toContain('bs-local')
    expect(await detail.getByTestId('backup-refs').textContent()).toContain('bs-dr')
    await screenshot(page, 'volume-backups-en')
  })

  it('sorts by a column and hides a column', async () => {
    await page.getByTestId('sort-name').click()
    const firstName = () =>
      page.locator('[data-testid=vb-table-grid] [role=row][data-key]').first().textContent()
    await expect.poll(firstName).toContain('vm-db-backup-data')
    await page.getByTestId('sort-name').click()
    await expect.poll(firstName).toContain('web-root-weekly')
    await page.getByTestId('column-chooser').click()
    await page.getByRole('checkbox', { name: 'Size' }).uncheck()
    expect(await page.locator('[role=columnheader]', { hasText: 'Size' }).count()).toBe(0)
    await page.getByRole('checkbox', { name: 'Size' }).check()
    await page.getByTestId('column-chooser').click()
  })

  it('sorts from the keyboard with visible focus, and remembers sort and columns per screen', async () => {
    const header = (id: string) =>
      page.locator('[role=columnheader]', { has: page.getByTestId(`sort-${id}`) })
    // From the column chooser, Tab reaches the grid, then its header buttons one by one.
    await page.getByTestId('column-chooser').focus()
    let focused = ''
    for (let i = 0; i < 12 && focused !== 'sort-createDate'; i++) {
      await page.keyboard.press('Tab')
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '')
    }
    expect(focused).toBe('sort-createDate')
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)
    expect(outline).not.toBe('none')
    await page.keyboard.press('Enter')
    await expect.poll(() => header('createDate').getAttribute('aria-sort')).toBe('ascending')
    await page.keyboard.press(' ')
    await expect.poll(() => header('createDate').getAttribute('aria-sort')).toBe('descending')
    expect(await header('name').getAttribute('aria-sort')).toBe('none')
    await screenshot(page, 'volume-backups-keyboard-sort-en')
    // Hide a column, leave the screen and come back: both choices are still there.
    await page.getByTestId('column-chooser').click()
    await page.getByRole('checkbox', { name: 'Size' }).uncheck()
    await page.getByTestId('column-chooser').click()
    await goTo(page, 'jobs')
    await goTo(page, 'volume-backups')
    await expect.poll(() => header('createDate').getAttribute('aria-sort')).toBe('descending')
    expect(await page.locator('[role=columnheader]', { hasText: 'Size' }).count()).toBe(0)
    await page.getByTestId('column-chooser').click()
    await page.getByRole('checkbox', { name: 'Size' }).check()
    await page.getByTestId('column-chooser').click()
  })

  it('moves through the table with the keyboard', async () => {
    const grid = page.getByTestId('vb-table-grid')
    await grid.focus()
    await page.keyboard.press('Home')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    const active = await grid.getAttribute('aria-activedescendant')
    expect(active).toMatch(/-r1$/)
    expect(await page.locator(`#${active}`).getAttribute('aria-selected')).toBe('true')
  })

  it('creates a volume backup and watches its job finish', async () => {
    const before = await rowCount(page, 'vb-table')
    await page.getByTestId('vb-create').click()
    const dialog = openDialog(page)
    await expect
      .poll(() => dialog.getByTestId('vb-create-volume').locator('option').count())
      .toBeGreaterThan(0)
    await dialog.getByTestId('vb-create-name').fill('e2e-created')
    expect(await operationOutcome(page, () => dialog.getByTestId('confirm-ok').click())).toBe('succeeded')
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(before + 1)
    expect(await row(page, 'vb-table', 'e2e-created').count()).toBe(1)
  })

  it('deletes a volume backup only after confirming, naming it', async () => {
    await row(page, 'vb-table', 'web-data-daily').click()
    await page.getByTestId('vb-delete').click()
    const dialog = openDialog(page)
    expect(await dialog.textContent()).toContain('web-data-daily')
    await dialog.getByTestId('confirm-cancel').click()
    expect(await row(page, 'vb-table', 'web-data-daily').count()).toBe(1)

    // Nothing is ticked at first, and the typed name is wanted too.
    await page.getByTestId('vb-delete').click()
    const confirm = openDialog(page)
    await confirm.getByTestId('delete-stores').locator('input[type=checkbox]').first().check()
    await confirm.getByTestId('confirm-typed').fill('web-data-daily')
    expect(await operationOutcome(page, () => confirm.getByTestId('confirm-ok').click())).toBe('succeeded')
    await expect.poll(() => row(page, 'vb-table', 'web-data-daily').count()).toBe(0)
  })

  it('reverts a volume only after the backup’s name is typed', async () => {
    await row(page, 'vb-table', 'vm-db-backup-root').click()
    await page.getByTestId('vb-revert').click()
    const dialog = openDialog(page)
    expect(await dialog.getByTestId('confirm-ok').isDisabled()).toBe(true)
    await dialog.getByTestId('confirm-typed').fill('vm-db-backup-roo')
    expect(await dialog.getByTestId('confirm-ok').isDisabled()).toBe(true)
    await dialog.getByTestId('confirm-typed').fill('vm-db-backup-root')
    await screenshot(page, 'volume-backups-revert-dialog-en')
    expect(await operationOutcome(page, () => dialog.getByTestId('confirm-ok').click())).toBe('succeeded')
  })

  it('syncs a backup to a second image store and shows the new ref', async () => {
    await row(page, 'vb-table', 'web-root-weekly').click()
    const refs = page.getByTestId('vb-table-detail').getByTestId('backup-refs')
    await expect.poll(() => refs.textContent()).toContain('bs-dr')
    expect(await refs.textContent()).not.toContain('bs-local')
    await page.getByTestId('vb-sync').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('vb-sync-dst').selectOption({ value: seeded(sim).bsLocal.uuid })
    expect(await operationOutcome(page, () => dialog.getByTestId('confirm-ok').click())).toBe('succeeded')
    await row(page, 'vb-table', 'web-root-weekly').click()
    await expect
      .poll(() => page.getByTestId('vb-table-detail').getByTestId('backup-refs').textContent())
      .toContain('bs-local')
  })

  it('shows a failed job with the server’s code and cause chain', async () => {
    await row(page, 'vb-table', 'web-root-weekly').click()
    await page.getByTestId('vb-recover').click()
    // bs-broken is Disconnected (a create or sync may not pick it; a recover may try to read from
    // it): the node refuses with a cause chain.
    await openDialog(page)
      .getByTestId('vb-recover-src')
      .selectOption({ value: seeded(sim).bsBroken.uuid })
    expect(await operationOutcome(page, () => openDialog(page).getByTestId('confirm-ok').click())).toBe(
      'failed',
    )
    const error = page.getByTestId('op-progress').first().getByTestId('error')
    expect(await error.getAttribute('data-code')).toBe('zstack.server_error')
    expect(await error.textContent()).toContain('SYS.1006')
    // The cards stack compactly: the table stays in view; each card can be dismissed.
    const gridTop = (await page.getByTestId('vb-table-grid').boundingBox())!.y
    expect(gridTop).toBeLessThan(600)
    const cards = await page.getByTestId('op-progress').count()
    expect(cards).toBeGreaterThan(1)
    await screenshot(page, 'volume-backups-op-cards-en')
    await page.getByTestId('op-progress').first().getByTestId('op-dismiss').click()
    await expect.poll(() => page.getByTestId('op-progress').count()).toBe(cards - 1)
    await goTo(page, 'jobs')
    await expect
      .poll(() => page.locator('[data-testid=node-job][data-state=failed]').count())
      .toBeGreaterThan(0)
    expect(await page.locator('[data-testid=node-job][data-state=succeeded]').count()).toBeGreaterThanOrEqual(
      4,
    )
    await screenshot(page, 'jobs-en')
  })

  it('creates and reverts a VM backup group', async () => {
    const s = seeded(sim)
    await goTo(page, 'vm-backups')
    await expect.poll(() => rowCount(page, 'vmb-table')).toBe(1)
    expect(await page.getByTestId('vmb-table-count').textContent()).toBe('1 row')
    // "Last login … ago" ticks.
    const lastLogin = page.getByTestId('last-connected')
    const before = await lastLogin.textContent()
    await expect.poll(() => lastLogin.textContent(), { timeout: 5000 }).not.toBe(before)
    await row(page, 'vmb-table', 'vm-db-backup-root').click()
    await expect.poll(() => page.getByTestId('vmb-members').locator('li').count()).toBe(3)

    await page.getByTestId('vmb-create').click()
    const create = openDialog(page)
    await create.getByTestId('vmb-create-vm').selectOption({ value: s.vmDb.uuid })
    await create.getByTestId('vmb-create-name').fill('e2e-vm-backup')
    expect(await operationOutcome(page, () => create.getByTestId('confirm-ok').click())).toBe('succeeded')
    await expect.poll(() => rowCount(page, 'vmb-table')).toBe(2)

    await row(page, 'vmb-table', 'vm-db-backup-root').click()
    await page.getByTestId('vmb-revert').click()
    const revert = openDialog(page)
    expect(await revert.textContent()).toContain('vm-db')
    await revert.getByTestId('confirm-typed').fill('vm-db-backup-root')
    expect(await operationOutcome(page, () => revert.getByTestId('confirm-ok').click())).toBe('succeeded')
    await screenshot(page, 'vm-backups-en')
  })

  it('exports a database backup and shows its URL', async () => {
    await goTo(page, 'database-backups')
    await expect.poll(() => rowCount(page, 'dbb-table')).toBe(3)
    await row(page, 'dbb-table', 'db-backup-nightly-1').click()
    await page.getByTestId('dbb-export').click()
    await openDialog(page).getByTestId('confirm-ok').click()
    await expect
      .poll(() => page.getByTestId('export-url').textContent(), { timeout: 15_000 })
      .toMatch(/http:\/\/10\.0\.0\.1[12]:8001\/export\/zstack-db-backup-[0-9a-f]{32}\.gz/)
    await page.getByTestId('copy-url').click()
    await expect.poll(() => page.getByTestId('copy-status').textContent()).toBe('Copied to the clipboard.')
    const url = (await page.getByTestId('export-url').locator('code').textContent())!
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url)
    await screenshot(page, 'database-backups-en')
  })

  it('removes a deleted export’s URL from the screen', async () => {
    await row(page, 'dbb-table', 'db-backup-nightly-1').click()
    await page.getByTestId('dbb-delete-export').click()
    expect(await operationOutcome(page, () => openDialog(page).getByTestId('confirm-ok').click())).toBe(
      'succeeded',
    )
    await expect.poll(() => page.getByTestId('export-url').count()).toBe(0)
  })

  it('recovers the database through the node with its live log', async () => {
    await row(page, 'dbb-table', 'db-backup-nightly-2').click()
    await page.getByTestId('dbb-recover').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('dbb-recover-password').fill('mysql-root')
    await dialog.getByTestId('confirm-typed').fill('db-backup-nightly-2')
    await dialog.getByTestId('confirm-ok').click()
    const log = page.getByTestId('recover-online')
    await expect.poll(() => log.getAttribute('data-state'), { timeout: 20_000 }).toBe('succeeded')
    expect(await log.getByTestId('recover-outcome').textContent()).toBe('Succeeded')
    expect(await page.getByTestId('recover-log').textContent()).toContain('Recover data successfully')
    await screenshot(page, 'database-backups-recovered-en')
  })

  it('lists every operation in Jobs with target, outcome, duration and cause, also after a reload', async () => {
    const finishedRow = (api: string) =>
      page.locator(`[data-testid=jobs-finished] [data-testid=job][data-api="${api}"]`)
    const check = async () => {
      await expect.poll(() => finishedRow('ExportDatabaseBackupFromBackupStorage').count()).toBe(1)
      const exp = finishedRow('ExportDatabaseBackupFromBackupStorage')
      expect(await exp.getByTestId('job-target').textContent()).toBe('db-backup-nightly-1')
      expect(await exp.getByTestId('job-outcome').textContent()).toBe('Succeeded')
      expect(await exp.getByTestId('job-duration').textContent()).toMatch(/^\d+:\d\d$/)
      // The node's own job for it is named too.
      const nodeJob = page.locator('[data-testid=node-job][data-api=ExportDatabaseBackupFromBackupStorage]')
      expect(await nodeJob.textContent()).toContain('db-backup-nightly-1')
      const recovery = finishedRow('zstack.recover')
      expect(await recovery.getByTestId('job-target').textContent()).toBe('db-backup-nightly-2')
      expect(await recovery.getByTestId('job-outcome').textContent()).toBe('Succeeded')
      expect(await finishedRow('RecoverDatabaseFromBackup').count()).toBe(1)
      // The refused sync keeps its cause chain.
      const failed = page.locator('[data-testid=jobs-finished] [data-testid=job][data-state=failed]')
      expect(await failed.getByTestId('job-target').first().textContent()).toBe('web-root-weekly')
      expect(await page.getByTestId('jobs-finished').getByTestId('error').first().textContent()).toContain(
        'SYS.1006',
      )
    }
    await goTo(page, 'jobs')
    await check()
    await page.reload()
    await goTo(page, 'jobs')
    await check()
    // Filters: state, API, text; the count says how many of all are shown.
    await page.getByTestId('jobs-filter-state').selectOption('failed')
    await expect.poll(() => page.locator('[data-testid=jobs-finished] [data-testid=job]').count()).toBe(1)
    expect(await page.getByTestId('jobs-count').textContent()).toMatch(/^1 of \d+ jobs shown$/)
    await page.getByTestId('jobs-filter-clear').click()
    await page.getByTestId('jobs-filter-api').selectOption('ExportDatabaseBackupFromBackupStorage')
    await expect.poll(() => page.locator('[data-testid=jobs-finished] [data-testid=job]').count()).toBe(1)
    await page.getByTestId('jobs-filter-clear').click()
    await page.getByTestId('jobs-query').fill('nightly-2')
    await expect.poll(() => page.locator('[data-testid=jobs-finished] [data-testid=job]').count()).toBe(2)
    await page.getByTestId('jobs-filter-time').selectOption('1')
    await page.getByTestId('jobs-filter-connection').selectOption({ label: 'sim-node' })
    expect(await page.locator('[data-testid=jobs-finished] [data-testid=job]').count()).toBe(2)
    await screenshot(page, 'jobs-filtered-en')
    await page.getByTestId('jobs-filter-clear').click()
  })

  it('opens standalone recovery from a database backup with what the app knows filled in', async () => {
    await goTo(page, 'database-backups')
    await row(page, 'dbb-table', 'db-backup-nightly-2').click()
    await page.getByTestId('dbb-standalone').click()
    await expect.poll(() => page.locator('main').getAttribute('data-screen')).toBe('recovery')
    const origin = page.getByTestId('rec-origin')
    expect(await origin.textContent()).toContain('db-backup-nightly-2')
    // The node's own host is the restore target; the backup's image stores are the places to search.
    expect(await origin.textContent()).toContain(new URL(sim.baseUrl).hostname)
    const hosts = await page
      .getByTestId('src-host')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))
    expect(hosts.length).toBeGreaterThan(0)
    for (const h of hosts) expect(h).toMatch(/^10\.0\.0\.\d+$/)
    await screenshot(page, 'recovery-prefilled-en')
    await setLanguage(page, 'zh-CN')
    await expectFullyTranslated(page, 'zh-CN')
    await screenshot(page, 'recovery-prefilled-zh-CN')
    await setLanguage(page, 'en')
  })

  it('flips every visible string to Chinese on every screen', async () => {
    const screens: Screen[] = ['connections', 'volume-backups', 'vm-backups', 'database-backups', 'jobs']
    await setLanguage(page, 'zh-CN')
    for (const screen of screens) {
      await goTo(page, screen)
      await page.waitForLoadState('networkidle')
      await expectFullyTranslated(page, 'zh-CN')
      await screenshot(page, `${screen}-zh-CN`)
    }
    await goTo(page, 'volume-backups')
    await row(page, 'vb-table', 'vm-db-backup-root').click()
    await expect.poll(() => page.getByTestId('backup-refs').count()).toBe(1)
    await expectFullyTranslated(page, 'zh-CN')
    await screenshot(page, 'volume-backups-detail-zh-CN')
    // Status values are translated; the node's own word stays in the title. Counts use the language's plural.
    // Known server texts too (the server's own words in the title).
    await goTo(page, 'jobs')
    const cause = page
      .getByTestId('jobs-finished')
      .getByTestId('error')
      .first()
      .locator('li span[title]')
      .first()
    // The failed job of the earlier test (a recover from the broken store): its generic text translated.
    expect(await cause.textContent()).toContain('操作失败: failed to read backup')
    expect(await cause.getAttribute('title')).toContain('An operation failed')
    await goTo(page, 'volume-backups')
    const ready = page.locator('[data-testid=vb-table-grid] [role=gridcell][title=Ready]').first()
    expect(await ready.textContent()).toBe('就绪')
    expect(await page.getByTestId('vb-table-count').textContent()).toMatch(/^共 \d+ 行$/)
    await setLanguage(page, 'en')
    await expectFullyTranslated(page, 'en')
  })

  it('follows a dark OS theme unless the in-app switch says otherwise, and remembers it', async () => {
    const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)
    await page.emulateMedia({ colorScheme: 'dark' })
    await goTo(page, 'volume-backups')
    await row(page, 'vb-table', 'vm-db-backup-root').click()
    await expect.poll(bg).toBe('rgb(13, 17, 23)')
    await screenshot(page, 'volume-backups-dark-en')
    await page.getByTestId('theme').selectOption('light')
    await expect.poll(bg).toBe('rgb(246, 247, 249)')
    await page.reload()
    await expect.poll(bg).toBe('rgb(246, 247, 249)')
    expect(await page.getByTestId('theme').inputValue()).toBe('light')
    await page.emulateMedia({ colorScheme: 'light' })
    await page.getByTestId('theme').selectOption('dark')
    await expect.poll(bg).toBe('rgb(13, 17, 23)')
    await screenshot(page, 'volume-backups-dark-switch-en')
    await page.getByTestId('theme').selectOption('system')
    await expect.poll(bg).toBe('rgb(246, 247, 249)')
  })

  it('goes offline: lists from the cache with the banner, actions disabled with the reason', async () => {
    await sim.close()
    await goTo(page, 'connections')
    await page.getByTestId('conn-test').click()
    const card = page.locator('[data-testid=connection][data-name=sim-node]')
    await expect
      .poll(() => card.getByTestId('connection-status').textContent(), { timeout: 20_000 })
      .toContain('Offline')
    await goTo(page, 'volume-backups')
    const banner = page.getByTestId('offline-banner')
    await expect.poll(() => banner.textContent()).toContain('sim-node cannot be reached')
    expect(await banner.textContent()).toContain('Unreachable since')
    // The list still answers, from the offline cache, and says how old it is.
    await expect.poll(() => rowCount(page, 'vb-table')).toBeGreaterThanOrEqual(5)
    expect(await banner.textContent()).toContain('Showing cached data from')
    expect(await page.getByTestId('from-cache').textContent()).toContain('offline cache')
    // A query still works offline, answered by the cache.
    await page.getByTestId('query-input').fill('name~=vm-db%')
    await page.getByTestId('query-run').click()
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(3)
    const create = page.getByTestId('vb-create')
    expect(await create.getAttribute('aria-disabled')).toBe('true')
    expect(await create.getAttribute('title')).toContain('this action needs the management node')
    const describedBy = await create.getAttribute('aria-describedby')
    expect(await page.locator(`#${describedBy}`).textContent()).toContain('cannot be reached')
    // Clicking a disabled action does nothing (force: Playwright itself refuses aria-disabled targets).
    await create.click({ force: true })
    expect(await page.locator('dialog[open]').count()).toBe(0)
    await screenshot(page, 'volume-backups-offline-en')
    await setLanguage(page, 'zh-CN')
    await expectFullyTranslated(page, 'zh-CN')
    await screenshot(page, 'volume-backups-offline-zh-CN')
    await setLanguage(page, 'en')
  })

  it('removes the node only after a confirmation naming it, even while it is unreachable', async () => {
    await goTo(page, 'connections')
    await page.getByTestId('conn-remove').click()
    const dialog = openDialog(page)
    expect(await dialog.textContent()).toContain('Remove sim-node?')
    await dialog.getByTestId('confirm-cancel').click()
    expect(await page.locator('[data-testid=connection][data-name=sim-node]').count()).toBe(1)
    await page.getByTestId('conn-remove').click()
    await openDialog(page).getByTestId('confirm-ok').click()
    await expect.poll(() => page.getByTestId('no-connection').count()).toBe(1)
    expect(await page.locator('[data-testid=connection]').count()).toBe(0)
  })

  it('logged no error and no CSP violation', () => {
    // Failed API calls while offline are answered with envelopes, not console errors.
    expect(problems).toEqual([])
  })
})
