import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron, type ElectronApplication, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS_DIR } from '../harness/web-app.js'
import { ensureBuilt } from '../security/electronegativity.js'

/**
 * The real Electron window, for machines where the Electron binary was downloaded at install.
 * Here (no binary) the whole file skips and says why.
 */
const root = join(import.meta.dirname, '../..')

function electronBinary(): { path?: string; missing?: string } {
  const pathFile = join(root, 'node_modules/electron/path.txt')
  if (!existsSync(pathFile))
    return { missing: 'node_modules/electron/path.txt is absent (binary never downloaded)' }
  try {
    const path = createRequire(join(root, 'package.json'))('electron') as string
    return existsSync(path) ? { path } : { missing: `${path} does not exist` }
  } catch (e) {
    return { missing: (e as Error).message }
  }
}

const binary = electronBinary()
if (binary.missing)
  console.log(`SKIP tests/e2e/electron-window.test.ts: no Electron binary (${binary.missing})`)

describe.skipIf(!binary.path)('Electron window (real binary)', () => {
  let app: ElectronApplication
  let page: Page
  let userData: string

  beforeAll(async () => {
    ensureBuilt()
    userData = mkdtempSync(join(tmpdir(), 'zsdr-electron-'))
    app = await _electron.launch({
      executablePath: binary.path!,
      // Root in CI cannot use Chromium's OS sandbox; the renderer's sandbox flag is still asserted below.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), `--user-data-dir=${userData}`, root],
      env: { ...process.env, ELECTRON_RENDERER_URL: '' } as Record<string, string>,
    })
    page = await app.firstWindow()
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    if (userData) rmSync(userData, { recursive: true, force: true })
  })

  it('loads the renderer from app://zsdr with the health call answered over IPC', async () => {
    expect(page.url()).toBe('app://zsdr/index.html')
    await expect.poll(() => page.getByTestId('health-status').getAttribute('data-status')).toBe('ok')
    const reply = await page.evaluate(() =>
      (globalThis as unknown as { zsdr: { invoke(n: string, r: unknown): Promise<unknown> } }).zsdr.invoke(
        'app.health',
        {},
      ),
    )
    expect(reply).toMatchObject({ ok: true, value: { transport: 'ipc' } })
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'electron-window.png') })
  })

  it('gives the page no Node and only the two bridge functions', async () => {
    const surface = await page.evaluate(() => ({
      require: typeof (globalThis as unknown as { require?: unknown }).require,
      process: typeof (globalThis as unknown as { process?: unknown }).process,
      bridge: Object.keys((globalThis as unknown as { zsdr: object }).zsdr).sort(),
    }))
    expect(surface).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'subscribe'] })
  })

  it('runs the window sandboxed and isolated, and refuses to navigate away', async () => {
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const wc = BrowserWindow.getAllWindows()[0]!.webContents
      const p = (
        wc as unknown as { getLastWebPreferences(): Record<string, unknown> }
      ).getLastWebPreferences()
      return { sandbox: p.sandbox, contextIsolation: p.contextIsolation, nodeIntegration: p.nodeIntegration }
    })
    expect(prefs).toEqual({ sandbox: true, contextIsolation: true, nodeIntegration: false })
    await page.evaluate(() => {
      // file:, so the shell must not hand it to the system browser either.
      ;(globalThis as unknown as { location: { href: string } }).location.href = 'file:///etc/hostname'
    })
    await page.waitForTimeout(500)
    expect(page.url()).toBe('app://zsdr/index.html')
  })
})
