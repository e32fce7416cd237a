import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { APP_ORIGIN } from '../../../src-main/host/app-origin.js'
import { type IpcBridge, registerIpc } from '../../../src-main/host/electron-ipc.js'
import { createLogger } from '../../../src-main/log/logger.js'
import { createServices, type Services } from '../../../src-main/services.js'
import { type FakeBrowserWindow, FakeFrame } from './fake-electron.js'

const electron = await vi.hoisted(async () => (await import('./fake-electron.js')).createFakeElectron())
vi.mock('electron', () => electron.module)

let dir: string
let services: Services
let ipc: IpcBridge
let win: FakeBrowserWindow

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zsdr-ipc-'))
  services = createServices({ dataDir: dir, log: createLogger({ level: 'silent' }) })
  ipc = registerIpc({ router: services.router, bus: services.bus, log: services.log, appOrigin: APP_ORIGIN })
  win = newWindow('app://zsdr/index.html')
  ipc.addWindow(win as never)
})

afterEach(async () => {
  ipc.dispose()
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

function newWindow(url: string): FakeBrowserWindow {
  const w = new electron.module.BrowserWindow({})
  w.webContents.mainFrame.url = url
  return w
}

function invoke(event: { sender: unknown; senderFrame: unknown }, name: unknown, payload: unknown) {
  const handler = electron.ipcHandlers.get('zsdr:invoke')
  if (!handler) throw new Error('no zsdr:invoke handler')
  return handler(event, name, payload) as Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>
}

const fromWindow = (w: FakeBrowserWindow) => ({ sender: w.webContents, senderFrame: w.webContents.mainFrame })

describe('IPC door', () => {
  it("serves a call from the app window's main frame through the router", async () => {
    const reply = await invoke(fromWindow(win), 'app.health', {})
    expect(reply.ok).toBe(true)
    expect(reply.value).toMatchObject({ transport: 'ipc', status: 'ok' })
  })

  it('passes bad requests to the router, which answers with its envelope', async () => {
    expect(await invoke(fromWindow(win), 'app.health', { extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'api.invalid_request' },
    })
    expect(await invoke(fromWindow(win), 'no.such.call', {})).toMatchObject({
      ok: false,
      error: { code: 'api.unknown_call' },
    })
  })

  it('refuses subframes, foreign origins, missing frames and other web contents without reaching the router', async () => {
    const dispatch = vi.spyOn(services.router, 'dispatch')
    const iframe = { sender: win.webContents, senderFrame: new FakeFrame('app://zsdr/index.html') }
    const foreign = newWindow('https://evil.example/')
    ipc.addWindow(foreign as never)
    const notOurs = newWindow('app://zsdr/index.html')
    const otherHost = newWindow('app://other/index.html')
    ipc.addWindow(otherHost as never)
    const attempts = [
      iframe,
      fromWindow(foreign),
      fromWindow(otherHost),
      fromWindow(notOurs),
      { sender: win.webContents, senderFrame: null },
    ]
    for (const event of attempts) {
      expect(await invoke(event, 'app.health', {})).toMatchObject({
        ok: false,
        error: { code: 'ipc.forbidden_sender', message: { en: expect.any(String), zh: expect.any(String) } },
      })
    }
    expect(dispatch).not.toHaveBeenCalled()
  })

  it('stops serving a window once it is closed', async () => {
    win.emit('closed')
    expect(await invoke(fromWindow(win), 'app.health', {})).toMatchObject({
      error: { code: 'ipc.forbidden_sender' },
    })
  })

  it("forwards bus events to the app's live windows only", () => {
    const stranger = newWindow('app://zsdr/index.html')
    const gone = newWindow('app://zsdr/index.html')
    ipc.addWindow(gone as never)
    gone.destroyed = true
    const payload = { opId: 'a'.repeat(32), kind: 'test', outcome: 'succeeded' as const }
    services.bus.emit('op.finished', payload)
    expect(win.webContents.sent).toEqual([['zsdr:event', 'op.finished', payload]])
    expect(stranger.webContents.sent).toEqual([])
    expect(gone.webContents.sent).toEqual([])
  })

  it('dispose removes the handler and stops forwarding', () => {
    ipc.dispose()
    expect(electron.ipcHandlers.has('zsdr:invoke')).toBe(false)
    services.bus.emit('op.finished', { opId: 'b'.repeat(32), kind: 'test', outcome: 'cancelled' })
    expect(win.webContents.sent).toEqual([])
    // Re-register so afterEach can dispose again without tripping over a missing handler.
    ipc = registerIpc({
      router: services.router,
      bus: services.bus,
      log: services.log,
      appOrigin: APP_ORIGIN,
    })
  })
})
