import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../harness/simulator.js'
import {
  type ConsoleSession,
  connectAndSync,
  expectFullyTranslated,
  goTo,
  openDialog,
  row,
  screenshot,
  screenshotFailedSteps,
  setLanguage,
  startConsoleSession,
} from './console-page.js'

/**
 * Backup schedules in Chromium through the web host: a daily VM backup keeping 3 is created with
 * the preset and its live preview, the simulator's clock moves 5 days and 3 backups remain; pause,
 * resume, delete; zh-CN and en screenshots.
 */
let session: ConsoleSession
let page: Page
let sim: Simulator

beforeAll(async () => {
  session = await startConsoleSession({ seed: 'demo', jobLatencyMs: 20 })
  ;({ page, sim } = session)
}, 120_000)

screenshotFailedSteps(() => page)

afterAll(() => session?.stop())

const DAY = 86_400_000
const groups = () =>
  new Set(sim.state.volumeBackups.rows.filter((b) => b.name.startsWith('app-daily-')).map((b) => b.groupUuid))
    .size

describe('schedules screen', () => {
  it('connects the demo cloud', async () => {
    await connectAndSync(page, sim.baseUrl, 'sim-node')
  })

  it('creates a daily VM backup schedule keeping 3, with a live preview of the next runs', async () => {
    await goTo(page, 'schedules')
    await page.getByTestId('sch-create').click()
    const d = openDialog(page)
    await d.getByTestId('sch-name').fill('app-daily')
    await d.getByTestId('sch-target').selectOption({ label: 'vm-app' })
    await d.getByTestId('sch-keep').fill('3')
    await d.getByTestId('sch-preset').selectOption('daily')
    await d.getByTestId('sch-time').fill('01:00')
    await expect.poll(() => d.getByTestId('sch-preview').textContent()).toContain('0 0 1 * * ?')
    expect(await d.locator('[data-testid=sch-preview] li').count()).toBe(5)
    // A cron 3.0.0 cannot store is refused in the preview, before anything is sent.
    await d.getByTestId('sch-preset').selectOption('cron')
    await d.getByTestId('sch-cron').fill('0 0 2 ? * MON,TUE,WED,THU,FRI,SAT')
    await expect.poll(() => d.getByTestId('sch-preview').textContent()).toContain('32')
    await d.getByTestId('sch-preset').selectOption('daily')
    await screenshot(page, 'schedules-create-en')
    await d.getByRole('button', { name: 'New schedule' }).click()
    await expect.poll(() => row(page, 'sch-table', 'app-daily').count()).toBe(1)
    expect(await row(page, 'sch-table', 'app-daily').textContent()).toContain('vm-app')
  })

  it('runs on the node: 5 days later 3 backups remain', async () => {
    sim.advanceClock(5 * DAY)
    expect(groups()).toBe(3)
    await row(page, 'sch-table', 'app-daily').click()
    expect(await page.locator('[data-testid=sch-next-runs] li').count()).toBe(5)
    await screenshot(page, 'schedules-list-en')
  })

  it('pauses and resumes', async () => {
    await page.getByTestId('sch-pause').click()
    await expect.poll(() => row(page, 'sch-table', 'app-daily').textContent()).toContain('Paused')
    sim.advanceClock(2 * DAY)
    expect(groups()).toBe(3)
    const job = sim.state.scheduler.jobs.rows.find((j) => j.name === 'app-daily')!
    expect(job.state).toBe('Disabled')
    await setLanguage(page, 'zh-CN')
    await expectFullyTranslated(page, 'zh-CN')
    await screenshot(page, 'schedules-list-zh-CN')
    await setLanguage(page, 'en')
    await page.getByTestId('sch-resume').click()
    await expect.poll(() => row(page, 'sch-table', 'app-daily').textContent()).toContain('Enabled')
    expect(sim.state.scheduler.jobs.get(job.uuid)?.state).toBe('Enabled')
  })

  it('delete asks first, then removes the job and its trigger', async () => {
    const job = sim.state.scheduler.jobs.rows.find((j) => j.name === 'app-daily')!
    await page.getByTestId('sch-delete').click()
    const d = openDialog(page)
    expect(await d.textContent()).toContain('Backups it made stay')
    await d.getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => row(page, 'sch-table', 'app-daily').count()).toBe(0)
    expect(sim.state.scheduler.jobs.get(job.uuid)).toBeUndefined()
    expect(sim.state.scheduler.triggers.rows).toHaveLength(0)
  })
})
