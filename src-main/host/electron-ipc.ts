import { BrowserWindow, type IpcMainInvokeEvent, ipcMain } from 'electron'
import type { EventBus } from '../api/event-bus.js'
import type { Router } from '../api/router.js'
import { AppError } from '../errors/app-error.js'
import type { Logger } from '../log/logger.js'
import { sameOrigin } from './app-origin.js'
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './ipc-channels.js'

export interface IpcBridgeOptions {
  router: Router
  bus: EventBus
  log: Logger
  /** Origin the app's pages are served from; frames elsewhere get no API. */
  appOrigin: string
}

export interface IpcBridge {
  /** Lets this window call the API and receive events, until it is closed. */
  addWindow(win: BrowserWindow): void
  dispose(): void
}

/**
 * The Electron door to the router. A call is served only when it comes from the main frame of one
 * of the app's own windows showing the app's origin: an iframe, a foreign page, or any other web
 * contents gets a refusal envelope and the router never sees the call.
 */
export function registerIpc(options: IpcBridgeOptions): IpcBridge {
  const windows = new Set<BrowserWindow>()

  ipcMain.handle(INVOKE_CHANNEL, async (event, name: unknown, payload: unknown) => {
    if (!trustedSender(event, windows, options.appOrigin)) {
      options.log.warn({ url: event.senderFrame?.url }, 'refused an IPC call from an untrusted frame')
      return { ok: false, error: forbiddenSender() }
    }
    return options.router.dispatch(name, payload, { transport: 'ipc' })
  })

  const unsubscribe = options.bus.subscribe((name, payload) => {
    for (const win of windows) {
      if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, name, payload)
    }
  })

  return {
    addWindow(win) {
      windows.add(win)
      win.on('closed', () => windows.delete(win))
    },
    dispose() {
      ipcMain.removeHandler(INVOKE_CHANNEL)
      unsubscribe()
      windows.clear()
    },
  }
}

function trustedSender(
  event: IpcMainInvokeEvent,
  windows: ReadonlySet<BrowserWindow>,
  appOrigin: string,
): boolean {
  const frame = event.senderFrame
  if (!frame) return false
  const win = BrowserWindow.fromWebContents(event.sender)
  if (!win || !windows.has(win)) return false
  return frame === event.sender.mainFrame && sameOrigin(frame.url, appOrigin)
}

function forbiddenSender() {
  return new AppError('ipc.forbidden_sender', {
    en: 'This page is not allowed to use the application API.',
    zh: '此页面无权调用应用 API。',
  }).toEnvelope()
}
