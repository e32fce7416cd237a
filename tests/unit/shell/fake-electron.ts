import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

/**
 * A stand-in for the parts of the `electron` module the shell uses, recording what the shell
 * configures so tests can assert it and drive the handlers. Used through `vi.mock('electron', ...)`.
 */

export interface FakeEvent {
  url: string
  defaultPrevented: boolean
  preventDefault(): void
}

export function fakeEvent(url = ''): FakeEvent {
  return {
    url,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true
    },
  }
}

type PermissionRequestHandler = (
  wc: unknown,
  permission: string,
  callback: (granted: boolean) => void,
) => void
type PermissionCheckHandler = (wc: unknown, permission: string, origin: string) => boolean

export class FakeSession {
  requestHandler: PermissionRequestHandler | null = null
  checkHandler: PermissionCheckHandler | null = null
  setPermissionRequestHandler(handler: PermissionRequestHandler | null) {
    this.requestHandler = handler
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null) {
    this.checkHandler = handler
  }
}

export class FakeFrame {
  constructor(public url: string) {}
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined
  readonly session = new FakeSession()
  readonly mainFrame = new FakeFrame('')
  readonly sent: unknown[][] = []
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push([channel, ...args])
  }
}

export interface Bounds {
  x: number
  y: number
  width: number
  height: number
}

export function createFakeElectron() {
  const windows: FakeBrowserWindow[] = []
  const displays: { workArea: Bounds }[] = [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }]

  class FakeBrowserWindow extends EventEmitter {
    static fromWebContents(contents: unknown) {
      return windows.find((w) => w.webContents === contents) ?? null
    }
    readonly webContents = new FakeWebContents()
    loadedUrl: string | undefined
    maximized = false
    minimized = false
    destroyed = false
    focused = false
    visible = false
    bounds: Bounds
    constructor(readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> }) {
      super()
      windows.push(this)
      const o = options as Partial<Bounds>
      this.bounds = { x: o.x ?? 100, y: o.y ?? 100, width: o.width ?? 800, height: o.height ?? 600 }
    }
    loadURL(url: string) {
      this.loadedUrl = url
      return Promise.resolve()
    }
    maximize() {
      this.maximized = true
    }
    isMaximized() {
      return this.maximized
    }
    isMinimized() {
      return this.minimized
    }
    restore() {
      this.minimized = false
    }
    focus() {
      this.focused = true
    }
    show() {
      this.visible = true
    }
    getNormalBounds() {
      return { ...this.bounds }
    }
    isDestroyed() {
      return this.destroyed
    }
  }

  const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  const ipcMain = {
    handle: vi.fn((channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => {
      if (ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`)
      ipcHandlers.set(channel, fn)
    }),
    removeHandler: vi.fn((channel: string) => ipcHandlers.delete(channel)),
  }

  const app = Object.assign(new EventEmitter(), {
    isPackaged: true,
    userData: '',
    ready: false,
    lock: true,
    requestSingleInstanceLock: vi.fn(() => app.lock),
    quit: vi.fn(),
    whenReady: vi.fn(async () => {
      app.ready = true
    }),
    getPath: vi.fn((name: string) => {
      if (name !== 'userData') throw new Error(`unexpected getPath(${name})`)
      return app.userData
    }),
  })

  const protocol = {
    schemesRegisteredBeforeReady: undefined as boolean | undefined,
    registerSchemesAsPrivileged: vi.fn(() => {
      protocol.schemesRegisteredBeforeReady = !app.ready
    }),
    handle: vi.fn(),
  }

  return {
    windows,
    displays,
    ipcHandlers,
    module: {
      app,
      protocol,
      ipcMain,
      BrowserWindow: FakeBrowserWindow,
      shell: { openExternal: vi.fn(async (_url: string) => {}) },
      screen: { getAllDisplays: () => displays },
    },
  }
}

export type FakeElectron = ReturnType<typeof createFakeElectron>
export type FakeBrowserWindow = InstanceType<FakeElectron['module']['BrowserWindow']>
