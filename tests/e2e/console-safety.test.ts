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
  screenshot,
  screenshotFailedSteps,
  setLanguage,
  startConsoleSession,
} from './console-page.js'

/**
 * The console's safeguards in Chromium against the demo simulator: deletes that name their stores
 * and cannot be sent with none, checks made before a dialog opens, the query bar's behaviour, bulk
 * actions, and the offline cache following the app's own changes.
 */
let session: ConsoleSession
let sim: Simulator
let page: Page
let problems: string[]

beforeAll(async () => {
  session = await startConsoleSession({ seed: 'demo', jobLatencyMs: 100 })
  ;({ sim, page, problems } = session)
}, 120_000)

screenshotFailedSteps(() => page)

afterAll(() => session?.stop())

/** Both languages of the screen as it is now, with no untranslated text in zh-CN. */
async function screenshots(name: string): Promise<void> {
  await screenshot(page, `${name}-en`)
  await setLanguage(page, 'zh-CN')
  try {
    await expectFullyTranslated(page, 'zh-CN')
    await screenshot(page, `${name}-zh-CN`)
  } finally {
    await setLanguage(page, 'en')
  }
}

describe('console safeguards', () => {
  it('connects and syncs the offline inventory', async () => {
    await goTo(page, 'connections')
    await page.getByTestId('conn-add').click()
    await page.getByTestId('conn-name').fill('sim-node')
    await page.getByTestId('conn-endpoint').fill(sim.baseUrl)
    await page.getByTestId('conn-password').fill(SIM_PASSWORD)
    await page.getByTestId('conn-submit').click()
    const card = page.locator('[data-testid=connection][data-name=sim-node]')
    await expect.poll(() => card.getByTestId('connection-status').textContent()).toContain('Online')
    await card.getByTestId('conn-sync').click()
    await expect
      .poll(() => card.getByTestId('cache-status').getAttribute('data-synced'), { timeout: 30_000 })
      .toBe('true')
  })

  it('a delete names its stores, starts with none ticked and cannot be sent with none', async () => {
    const s = seeded(sim)
    await goTo(page, 'database-backups')
    await expect.poll(() => rowCount(page, 'dbb-table')).toBe(3)
    await row(page, 'dbb-table', 'db-backup-nightly-1').click()
    await page.getByTestId('dbb-delete').click()
    const dialog = openDialog(page)
    const boxes = dialog.getByTestId('delete-stores').locator('input[type=checkbox]')
    // Held on two stores: both offered by name, neither ticked.
    expect(await boxes.count()).toBe(2)
    expect(await dialog.getByTestId('delete-stores').textContent()).toContain('bs-local')
    expect(await dialog.getByTestId('delete-stores').textContent()).toContain('bs-dr')
    for (const box of await boxes.all()) expect(await box.isChecked()).toBe(false)
    // The typed name alone does not send it: a store must be chosen.
    await dialog.getByTestId('confirm-typed').fill('db-backup-nightly-1')
    expect(await dialog.getByTestId('confirm-ok').isDisabled()).toBe(true)
    expect(await dialog.getByTestId('confirm-blocked').textContent()).toContain(
      'Choose at least one image store',
    )
    await dialog.getByTestId('confirm-typed').press('Enter')
    expect(await openDialog(page).count()).toBe(1)
    await screenshots('database-backups-delete-none-ticked')

    await dialog.locator(`input[value="${s.bsDr.uuid}"]`).check()
    expect(await dialog.getByTestId('delete-summary').textContent()).toContain('bs-dr')
    expect(await dialog.getByTestId('delete-summary').textContent()).not.toContain('bs-local')
    expect(await dialog.getByTestId('confirm-ok').isDisabled()).toBe(false)
    expect(await operationOutcome(page, () => dialog.getByTestId('confirm-ok').click())).toBe('succeeded')
    // Only the chosen copy went: the backup is still there, on bs-local alone.
    const left = s.databaseBackup('db-backup-nightly-1')
    expect(left.backupStorageRefs.map((r) => r.backupStorageUuid)).toEqual([s.bsLocal.uuid])
  })

  it('revert is refused up front for a running VM, naming it', async () => {
    await goTo(page, 'volume-backups')
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(5)
    await row(page, 'vb-table', 'web-data-daily').click()
    const revert = page.getByTestId('vb-revert')
    await expect.poll(() => revert.getAttribute('aria-disabled')).toBe('true')
    expect(await revert.getAttribute('title')).toContain('VM vm-web to be stopped')
    expect(await page.getByTestId('vb-revert-blocked').textContent()).toContain('vm-web')
    await revert.click({ force: true })
    expect(await openDialog(page).count()).toBe(0)
    // A Data backup cannot make a root-volume template.
    expect(await page.getByTestId('vb-root-template').getAttribute('title')).toContain(
      'needs a Root volume backup',
    )
    // The volume and its VM by name, the UUID copyable beside it.
    expect(await page.getByTestId('vb-table-detail').textContent()).toContain('vm-web')
    await screenshots('volume-backups-revert-refused')
  })

  it('a Disconnected or too full image store is marked and cannot be chosen for a create', async () => {
    const s = seeded(sim)
    const offsite = s.bsOffsite
    const free = offsite.availableCapacity
    offsite.availableCapacity = 1024
    sim.state.bump()
    await goTo(page, 'connections')
    await goTo(page, 'volume-backups')
    await page.getByTestId('vb-create').click()
    const dialog = openDialog(page)
    const broken = dialog.getByTestId('vb-create-store').locator(`option[value="${s.bsBroken.uuid}"]`)
    expect(await broken.isDisabled()).toBe(true)
    expect(await broken.textContent()).toContain('Disconnected')
    expect(await dialog.getByTestId('vb-create-store').inputValue()).not.toBe(s.bsBroken.uuid)
    expect(await dialog.getByTestId('vb-create-store').textContent()).toMatch(/free/)
    const full = dialog.getByTestId('vb-create-store').locator(`option[value="${offsite.uuid}"]`)
    await expect.poll(() => full.isDisabled()).toBe(true)
    expect(await full.textContent()).toContain('not enough free space')
    offsite.availableCapacity = free
    await screenshots('volume-backups-create-stores')
    await dialog.getByTestId('confirm-cancel').click()
  })

  it('query bar: sizes with units, a refused query clears the rows, Tab leaves an unopened box', async () => {
    const query = page.getByTestId('query-input')
    await query.fill('size>60GB')
    await page.getByTestId('query-run').click()
    expect(await page.getByTestId('query-sent').textContent()).toContain(`size>${60 * 1024 ** 3}`)
    const big = sim.state.volumeBackups.rows.filter((b) => b.size > 60 * 1024 ** 3).length
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(big)

    // A typo: the old rows and count go, and the error says what was wrong.
    await query.fill('sise>1')
    await page.getByTestId('query-run').click()
    expect(await page.getByTestId('query-error').textContent()).toContain('unknown field "sise"')
    await expect.poll(() => page.getByTestId('vb-table-count').count()).toBe(0)
    expect(await page.getByTestId('vb-table-empty').count()).toBe(1)
    await screenshots('volume-backups-query-refused')

    // The node refuses a value: no "0 rows", the node's reason instead.
    await page.getByTestId('query-clear').click()
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(5)
    await query.fill('size>lots')
    await page.getByTestId('query-run').click()
    await expect.poll(() => page.getByTestId('query-error').textContent()).toContain('invalid value[lots]')
    await expect.poll(() => page.getByTestId('vb-table-count').count()).toBe(0)
    expect(await page.getByTestId('vb-table-empty').count()).toBe(1)

    await page.getByTestId('query-clear').click()
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(5)
    // Tab into the empty box and out again: nothing is filled in.
    await query.focus()
    await query.press('Tab')
    expect(await query.inputValue()).toBe('')
    expect(await query.evaluate((el) => el === document.activeElement)).toBe(false)
  })

  it('VM backups and database backups have a query bar', async () => {
    await goTo(page, 'vm-backups')
    await expect.poll(() => rowCount(page, 'vmb-table')).toBe(1)
    await page.getByTestId('query-input').fill('name=nothing-like-this')
    await page.getByTestId('query-run').click()
    await expect.poll(() => rowCount(page, 'vmb-table')).toBe(0)
    await page.getByTestId('query-input').fill('type=Root')
    await page.getByTestId('query-run').click()
    await expect.poll(() => rowCount(page, 'vmb-table')).toBe(1)
    await row(page, 'vmb-table', 'vm-db-backup-root').click()
    // The group keeps every member (root and two data volumes), not only the one that matched.
    await expect.poll(() => page.getByTestId('vmb-members').locator('li').count()).toBe(3)
    await screenshots('vm-backups-query')
    await goTo(page, 'database-backups')
    await page.getByTestId('query-input').fill('name~=%upgrade%')
    await page.getByTestId('query-run').click()
    await expect.poll(() => rowCount(page, 'dbb-table')).toBe(1)
    await screenshots('database-backups-query')
  })

  it('bulk delete: tick rows, choose stores, type the count; nothing else is touched', async () => {
    const s = seeded(sim)
    await goTo(page, 'volume-backups')
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(5)
    const bulk = page.getByTestId('bulk-delete')
    expect(await bulk.getAttribute('aria-disabled')).toBe('true')
    for (const name of ['DATA-1-for-vm-db', 'DATA-2-for-vm-db']) {
      await row(page, 'vb-table', name).getByTestId('row-check').check()
    }
    await bulk.click()
    const dialog = openDialog(page)
    await expect.poll(() => dialog.getByTestId('delete-stores').locator('input').count()).toBeGreaterThan(0)
    await dialog.getByTestId('confirm-typed').fill('2')
    expect(await dialog.getByTestId('confirm-ok').isDisabled()).toBe(true)
    await dialog.getByTestId('delete-stores-all').click()
    await screenshots('volume-backups-bulk-delete')
    await dialog.getByTestId('confirm-ok').click()
    await expect.poll(() => rowCount(page, 'vb-table'), { timeout: 20_000 }).toBe(3)
    expect(s.volumeBackup('vm-db-backup-data')).toBeUndefined()
    expect(s.volumeBackup('vm-db-backup-root')).toBeDefined()
  })

  it('bulk sync copies the ticked backups to the chosen store', async () => {
    const s = seeded(sim)
    await goTo(page, 'database-backups')
    await expect.poll(() => rowCount(page, 'dbb-table')).toBe(3)
    for (const name of ['db-backup-nightly-1', 'db-backup-nightly-2']) {
      await row(page, 'dbb-table', name).getByTestId('row-check').check()
    }
    await page.getByTestId('bulk-sync').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('bulk-sync-src').selectOption({ value: s.bsLocal.uuid })
    await dialog.getByTestId('bulk-sync-dst').selectOption({ value: s.bsOffsite.uuid })
    await dialog.getByTestId('confirm-ok').click()
    const on = (name: string) => s.databaseBackup(name).backupStorageRefs.map((r) => r.backupStorageUuid)
    await expect.poll(() => on('db-backup-nightly-2'), { timeout: 20_000 }).toContain(s.bsOffsite.uuid)
    await expect.poll(() => on('db-backup-nightly-1'), { timeout: 20_000 }).toContain(s.bsOffsite.uuid)
    expect(on('db-backup-before-upgrade')).not.toContain(s.bsOffsite.uuid)
  })

  it('after an own delete the offline list no longer shows the backup, and counts agree', async () => {
    await goTo(page, 'volume-backups')
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(3)
    await row(page, 'vb-table', 'web-root-weekly').click()
    await page.getByTestId('vb-delete').click()
    const dialog = openDialog(page)
    await dialog.getByTestId('delete-stores').locator('input[type=checkbox]').first().check()
    await dialog.getByTestId('confirm-typed').fill('web-root-weekly')
    expect(await operationOutcome(page, () => dialog.getByTestId('confirm-ok').click())).toBe('succeeded')
    await expect.poll(() => row(page, 'vb-table', 'web-root-weekly').count()).toBe(0)

    await sim.close()
    await goTo(page, 'connections')
    await page.getByTestId('conn-test').click()
    const card = page.locator('[data-testid=connection][data-name=sim-node]')
    await expect
      .poll(() => card.getByTestId('connection-status').textContent(), { timeout: 20_000 })
      .toContain('Offline')
    // The cache line is filled in after the status (its counts come in a call of their own).
    await expect.poll(() => card.getByTestId('cache-status').textContent()).toContain('2 volume backups')
    await goTo(page, 'volume-backups')
    await expect.poll(() => page.getByTestId('from-cache').count()).toBe(1)
    await expect.poll(() => rowCount(page, 'vb-table')).toBe(2)
    expect(await row(page, 'vb-table', 'web-root-weekly').count()).toBe(0)
    await screenshots('volume-backups-offline-after-delete')
  })

  it('logged no error and no CSP violation', () => {
    expect(problems).toEqual([])
  })
})
