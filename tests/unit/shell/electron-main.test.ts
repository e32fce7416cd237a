import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { contentSecurityPolicy } from '../../../src-main/host/security.js'
import { ensureBuilt } from '../../security/electronegativity.js'
import { type FakeElectron, FakeWebContents, fakeEvent } from './fake-electron.js'

const electron = await vi.hoisted(async () => {
  const { createFakeElectron } = await import('./fake-electron.js')
  return { create: createFakeElectron, current: createFakeElectron() }
})
// Getters, because the mock registry survives vi.resetModules: each test gets a fresh fake behind them.
vi.mock('electron', () => ({
  get app() {
    return electron.current.module.app
  },
  get protocol() {
    return electron.current.module.protocol
  },
  get ipcMain() {
    return electron.current.module.ipcMain
  },
  get BrowserWindow() {
    return electron.current.module.BrowserWindow
  },
  get shell() {
    return electron.current.module.shell
  },
  get screen() {
    return electron.current.module.screen
  },
}))

let fake: FakeElectron
let dataDir: string

beforeEach(() => {
  fake = electron.current = electron.create()
  dataDir = mkdtempSync(join(tmpdir(), 'zsdr-main-'))
  fake.module.app.userData = dataDir
  vi.resetModules()
})

afterEach(async () => {
  // Let the entry close its services (the database) the way a real quit does.
  if (fake.windows.length > 0) {
    fake.module.app.emit('will-quit', fakeEvent())
    await vi.waitFor(() => expect(fake.module.app.quit).toHaveBeenCalled())
  }
  vi.unstubAllEnvs()
  rmSync(dataDir, { recursive: true, force: true })
})

async function start() {
  await import('../../../src-main/index.js')
  if (fake.module.app.lock) await vi.waitFor(() => expect(fake.windows).toHaveLength(1))
  return fake.windows[0]
}

describe('Electron entry (src-main/index.ts)', () => {
  it('registers app:// as a standard, secure scheme before ready and serves it with the CSP', async () => {
    await start()
    expect(fake.module.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true } },
    ])
    expect(fake.module.protocol.schemesRegisteredBeforeReady).toBe(true)
    expect(fake.module.protocol.handle).toHaveBeenCalledOnce()
    const [scheme, handler] = fake.module.protocol.handle.mock.calls[0] as unknown as [
      string,
      (r: Request) => Promise<Response>,
    ]
    expect(scheme).toBe('app')
    const res = await handler({ url: 'app://zsdr/..%2f..%2f..%2fetc%2fpasswd', method: 'GET' } as Request)
    expect(res.status).toBe(403)
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy())
  })

  it('opens one hardened window on app://zsdr whose main frame can call the API', async () => {
    const win = (await start())!
    expect(win.loadedUrl).toBe('app://zsdr/index.html')
    expect(win.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    })
    expect(String(win.options.webPreferences?.preload)).toMatch(/[/\\]preload[/\\]preload\.cjs$/)
    win.webContents.mainFrame.url = 'app://zsdr/index.html'
    const invoke = fake.ipcHandlers.get('zsdr:invoke')!
    const reply = await invoke(
      { sender: win.webContents, senderFrame: win.webContents.mainFrame },
      'app.health',
      {},
    )
    expect(reply).toMatchObject({ ok: true, value: { transport: 'ipc' } })
    // The database lives in Electron's userData directory.
    expect(existsSync(join(dataDir, 'zsdr.sqlite'))).toBe(true)
  })

  it('hardens every web contents created later, and the main window only once', async () => {
    const win = (await start())!
    const contents = new FakeWebContents()
    fake.module.app.emit('web-contents-created', fakeEvent(), contents)
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    const nav = fakeEvent('https://example.com/')
    contents.emit('will-navigate', nav)
    expect(nav.defaultPrevented).toBe(true)
    // Electron reports the main window's contents too: a followed link must still open once.
    fake.module.app.emit('web-contents-created', fakeEvent(), win.webContents)
    fake.module.shell.openExternal.mockClear()
    win.webContents.emit('will-navigate', fakeEvent('https://www.zstack.io/'))
    expect(fake.module.shell.openExternal).toHaveBeenCalledOnce()
  })

  it('focuses the running window when a second instance starts', async () => {
    const win = (await start())!
    win.minimized = true
    fake.module.app.emit('second-instance', fakeEvent(), [], '/')
    expect(win.minimized).toBe(false)
    expect(win.focused).toBe(true)
  })

  it('quits at once when another instance holds the lock', async () => {
    fake.module.app.lock = false
    await start()
    expect(fake.module.app.quit).toHaveBeenCalled()
    expect(fake.module.app.whenReady).not.toHaveBeenCalled()
    expect(fake.windows).toHaveLength(0)
  })

  it('holds the quit until the services are closed, then quits', async () => {
    await start()
    const first = fakeEvent()
    fake.module.app.emit('will-quit', first)
    expect(first.defaultPrevented).toBe(true)
    await vi.waitFor(() => expect(fake.module.app.quit).toHaveBeenCalledOnce())
    const second = fakeEvent()
    fake.module.app.emit('will-quit', second)
    expect(second.defaultPrevented).toBe(false)
    expect(fake.ipcHandlers.has('zsdr:invoke')).toBe(false)
  })

  it('uses the dev server URL only in an unpackaged app', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173')
    fake.module.app.isPackaged = false
    expect((await start())!.loadedUrl).toBe('http://localhost:5173')
  })

  it('ignores ELECTRON_RENDERER_URL in a packaged app', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'https://evil.example/')
    expect((await start())!.loadedUrl).toBe('app://zsdr/index.html')
  })

  it('the built entry finds its preload and renderer next to it', () => {
    ensureBuilt()
    const outMain = resolve(import.meta.dirname, '../../../out/main')
    const bundle = readFileSync(join(outMain, 'index.js'), 'utf8')
    expect(bundle).toContain('"../preload/preload.cjs"')
    expect(bundle).toContain('"../renderer"')
    expect(existsSync(join(outMain, '../preload/preload.cjs'))).toBe(true)
  })
})
