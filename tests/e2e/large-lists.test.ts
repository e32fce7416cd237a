import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SIM_PASSWORD, type Simulator } from '../harness/simulator.js'
import {
  type ConsoleSession,
  goTo,
  row,
  screenshot,
  screenshotFailedSteps,
  startConsoleSession,
} from './console-page.js'

/**
 * Lists reach every record with the large seed (10,003 database backups, 30,001 VM backups of
 * 60,003 volume backups): loaded page by page, newest first, and the last record is reachable.
 */
let session: ConsoleSession
let sim: Simulator
let page: Page
let problems: string[]

beforeAll(async () => {
  session = await startConsoleSession({ seed: 'large' })
  ;({ sim, page, problems } = session)
}, 180_000)

screenshotFailedSteps(() => page)

afterAll(() => session?.stop())

/** The table's count once every page is in: "N rows" with N the total. */
async function loadedCount(table: string): Promise<number> {
  const count = page.getByTestId(`${table}-count`)
  await expect
    .poll(() => page.getByTestId(`${table.split('-')[0]}-loading`).count(), { timeout: 90_000 })
    .toBe(0)
  return Number(((await count.textContent()) ?? '').replace(/\D/g, ''))
}

const byDateDesc = <T extends { createDate: number; name: string }>(rows: readonly T[]) =>
  [...rows].sort((a, b) => b.createDate - a.createDate || a.name.localeCompare(b.name))

describe('lists reach every record (large seed)', () => {
  it('connects', async () => {
    await goTo(page, 'connections')
    await page.getByTestId('conn-add').click()
    await page.getByTestId('conn-name').fill('big-node')
    await page.getByTestId('conn-endpoint').fill(sim.baseUrl)
    await page.getByTestId('conn-password').fill(SIM_PASSWORD)
    await page.getByTestId('conn-submit').click()
    const card = page.locator('[data-testid=connection][data-name=big-node]')
    await expect.poll(() => card.getByTestId('connection-status').textContent()).toContain('Online')
  })

  it('all 10,003 database backups, newest first; the oldest is reachable at the end', async () => {
    const all = byDateDesc(sim.state.databaseBackups.rows)
    expect(all).toHaveLength(10_003)
    // Hold the later pages back: until they come, the table says it shows fewer than there are.
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    await page.route('**/api/call/cache.query', async (route) => {
      const q = route.request().postDataJSON() as { resource?: string; start?: number }
      if (q.resource === 'databaseBackups' && (q.start ?? 0) > 0) await held
      await route.continue()
    })
    await goTo(page, 'database-backups')
    await expect
      .poll(() => page.getByTestId('dbb-table-count').textContent(), { timeout: 60_000 })
      .toContain('500 of 10003 rows shown')
    release()
    expect(await loadedCount('dbb-table')).toBe(10_003)
    await page.unroute('**/api/call/cache.query')
    const first = page.locator('[data-testid=dbb-table-grid] [role=row][data-key]').first()
    expect(await first.textContent()).toContain(all[0]!.name)
    await page.getByTestId('dbb-table-grid').focus()
    await page.keyboard.press('End')
    const last = all.at(-1)!
    await expect.poll(() => row(page, 'dbb-table', last.name).first().isVisible()).toBe(true)
    await screenshot(page, 'database-backups-large-end-en')
    // A new query starts at the top, not where the last list was scrolled to.
    const grid = page.getByTestId('dbb-table-grid')
    expect(await grid.evaluate((el) => el.scrollTop)).toBeGreaterThan(0)
    await page.getByTestId('query-input').fill('name~=db-backup-1%')
    await page.getByTestId('query-run').click()
    await expect.poll(() => grid.evaluate((el) => el.scrollTop)).toBe(0)
    await expect.poll(() => first.textContent()).toContain('db-backup-1999')
  }, 120_000)

  it('every VM backup group, each with all its volumes', async () => {
    const groups = new Map<string, number>()
    let newest = { group: '', at: 0 }
    for (const b of sim.state.volumeBackups.rows) {
      if (!b.groupUuid) continue
      groups.set(b.groupUuid, (groups.get(b.groupUuid) ?? 0) + 1)
      if (b.createDate > newest.at) newest = { group: b.groupUuid, at: b.createDate }
    }
    await goTo(page, 'vm-backups')
    expect(await loadedCount('vmb-table')).toBe(groups.size)
    const first = page.locator('[data-testid=vmb-table-grid] [role=row][data-key]').first()
    const key = (await first.getAttribute('data-key'))!
    // Newest first: the group of the newest grouped volume backup heads the list.
    expect(key).toBe(newest.group)
    await first.click()
    await expect
      .poll(() => page.getByTestId('vmb-members').locator('li').count(), { timeout: 20_000 })
      .toBe(groups.get(key))
    expect(groups.get(key)).toBe(2)
    await screenshot(page, 'vm-backups-large-en')
  }, 150_000)

  it('logged no error', () => {
    expect(problems).toEqual([])
  })
})
