import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Database, openDatabase, Settings } from '../../../src-main/db/index.js'
import { APP_ENTRY_URL, APP_ORIGIN } from '../../../src-main/host/app-origin.js'
import { createMainWindow, hardenWebContents } from '../../../src-main/host/electron-window.js'
import { placeWindow } from '../../../src-main/host/window-state.js'
import { type FakeBrowserWindow, FakeWebContents, fakeEvent } from './fake-electron.js'

const electron = await vi.hoisted(async () => (await import('./fake-electron.js')).createFakeElectron())
vi.mock('electron', () => electron.module)

const PRELOAD = '/app/out/preload/preload.cjs'

let dir: string
let db: Database
let settings: Settings

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zsdr-window-'))
  db = openDatabase(join(dir, 'zsdr.sqlite'))
  settings = new Settings(db)
  electron.windows.length = 0
  electron.module.shell.openExternal.mockClear()
})

afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

function openWindow(appOrigin = APP_ORIGIN): FakeBrowserWindow {
  return createMainWindow({
    preloadPath: PRELOAD,
    entryUrl: APP_ENTRY_URL,
    appOrigin,
    settings,
  }) as unknown as FakeBrowserWindow
}

describe('main window', () => {
  it('runs the renderer sandboxed, isolated, without Node, with the one preload', () => {
    const win = openWindow()
    expect(win.options.webPreferences).toMatchObject({
      preload: PRELOAD,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    })
    expect(win.loadedUrl).toBe('app://zsdr/index.html')
    expect(win.visible).toBe(false)
    win.emit('ready-to-show')
    expect(win.visible).toBe(true)
  })

  it('denies every window.open; only valid http(s) links go to the system browser', () => {
    const win = openWindow()
    const open = win.webContents.windowOpenHandler!
    const tried = [
      'https://www.zstack.io/help',
      'http://10.0.0.5:5000/',
      'app://zsdr/index.html',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://admin:secret@example.com/',
      'smb://fileserver/share',
      'not a url',
    ]
    for (const url of tried) expect(open({ url })).toEqual({ action: 'deny' })
    expect(electron.module.shell.openExternal.mock.calls.map((c) => c[0])).toEqual([
      'https://www.zstack.io/help',
      'http://10.0.0.5:5000/',
    ])
  })

  it('keeps navigation on the app origin', () => {
    const win = openWindow()
    const navigate = (url: string) => {
      const event = fakeEvent(url)
      win.webContents.emit('will-navigate', event)
      return event.defaultPrevented
    }
    expect(navigate('app://zsdr/index.html#/settings')).toBe(false)
    expect(navigate('https://evil.example/phish')).toBe(true)
    expect(navigate('app://other/index.html')).toBe(true)
    expect(navigate('file:///etc/passwd')).toBe(true)
    expect(navigate('javascript:alert(1)')).toBe(true)
    // A followed http(s) link leaves for the system browser, never inside the app window.
    expect(electron.module.shell.openExternal.mock.calls.map((c) => c[0])).toEqual([
      'https://evil.example/phish',
    ])
  })

  it('prevents redirects off the origin and any webview', () => {
    const win = openWindow()
    const redirect = fakeEvent('https://evil.example/')
    win.webContents.emit('will-redirect', redirect)
    expect(redirect.defaultPrevented).toBe(true)
    const sameOrigin = fakeEvent('app://zsdr/index.html')
    win.webContents.emit('will-redirect', sameOrigin)
    expect(sameOrigin.defaultPrevented).toBe(false)
    const webview = fakeEvent('app://zsdr/index.html')
    win.webContents.emit('will-attach-webview', webview, {}, {})
    expect(webview.defaultPrevented).toBe(true)
    expect(electron.module.shell.openExternal).not.toHaveBeenCalled()
  })

  it('accepts the dev server origin only when that is the app origin', () => {
    const contents = new FakeWebContents()
    hardenWebContents(contents as never, 'http://localhost:5173')
    const same = fakeEvent('http://localhost:5173/src/main.ts')
    const otherPort = fakeEvent('http://localhost:5174/')
    contents.emit('will-navigate', same)
    contents.emit('will-navigate', otherPort)
    expect(same.defaultPrevented).toBe(false)
    expect(otherPort.defaultPrevented).toBe(true)
  })

  it('denies every permission request and check', () => {
    const win = openWindow()
    const { requestHandler, checkHandler } = win.webContents.session
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn()
      requestHandler!(win.webContents, permission, callback)
      expect(callback).toHaveBeenCalledExactlyOnceWith(false)
      expect(checkHandler!(win.webContents, permission, APP_ORIGIN)).toBe(false)
    }
  })
})

describe('window state', () => {
  it('remembers bounds and maximized across runs', () => {
    const first = openWindow()
    first.bounds = { x: 200, y: 150, width: 1100, height: 700 }
    first.maximized = true
    first.emit('close')

    const second = openWindow()
    expect(second.options).toMatchObject({ x: 200, y: 150, width: 1100, height: 700 })
    expect(second.maximized).toBe(true)
  })

  it('falls back to a default size when the stored state is unreadable', () => {
    settings.set('window.main', { bounds: { x: 'left' }, maximized: 'yes' })
    const win = openWindow()
    expect(win.options).toMatchObject({ width: 1280, height: 800 })
    expect(win.options.x).toBeUndefined()
    expect(win.maximized).toBe(false)
  })

  it('keeps a restored window on a display that exists now', () => {
    const display = { x: 0, y: 0, width: 1920, height: 1040 }
    const second = { x: 1920, y: 0, width: 1280, height: 1024 }
    const saved = (x: number, y: number, width = 1000, height = 700) => ({
      bounds: { x, y, width, height },
      maximized: false,
    })
    // On a monitor that was unplugged: size kept, position left to the OS.
    expect(placeWindow(saved(2500, 100), [display])).toEqual({ width: 1000, height: 700 })
    // Still plugged in: exact position.
    expect(placeWindow(saved(2000, 100), [display, second])).toEqual({
      x: 2000,
      y: 100,
      width: 1000,
      height: 700,
    })
    // Hanging off the edge: pulled back inside.
    expect(placeWindow(saved(1800, 900), [display])).toEqual({ x: 920, y: 340, width: 1000, height: 700 })
    // Bigger than the display: shrunk to it.
    expect(placeWindow(saved(0, 0, 4000, 3000), [display])).toEqual({ x: 0, y: 0, width: 1920, height: 1040 })
    // Never below the minimum size.
    expect(placeWindow(saved(10, 10, 100, 100), [display])).toMatchObject({ width: 800, height: 560 })
  })
})
