import { join } from 'node:path'
import { app, type BrowserWindow, protocol } from 'electron'
import { Settings } from './db/settings.js'
import { APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME } from './host/app-origin.js'
import { createAppProtocolHandler } from './host/app-protocol.js'
import { registerIpc } from './host/electron-ipc.js'
import { createMainWindow, hardenWebContents } from './host/electron-window.js'
import { createServices, type Services } from './services.js'

/**
 * Electron entry: only wiring. Everything the window can do goes through the same router as the
 * web host and the CLI (src-main/services.ts); this file adds the window, the app:// protocol and IPC.
 */

// Must happen before `ready`: a standard, secure scheme gives the renderer a real origin (not file://).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }])

// Honoured only in development builds, so an environment variable cannot point a packaged app elsewhere.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
const appOrigin = devServerUrl ? new URL(devServerUrl).origin : APP_ORIGIN

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  let services: Services | undefined
  let mainWindow: BrowserWindow | undefined

  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })

  // Every web contents, including any created later, gets the same navigation rules as the main window.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, appOrigin))

  app.on('window-all-closed', () => app.quit())

  // Hold the quit until the services (database first) are closed, then quit for real.
  app.on('will-quit', (event) => {
    if (!services) return
    event.preventDefault()
    const running = services
    services = undefined
    running.close().finally(() => app.quit())
  })

  void app.whenReady().then(() => {
    // ZSDR_HOME points the window at the same data folder as the CLI and the web host.
    services = createServices({ dataDir: process.env.ZSDR_HOME || app.getPath('userData') })
    protocol.handle(APP_SCHEME, createAppProtocolHandler(join(import.meta.dirname, '../renderer')))
    const ipc = registerIpc({ router: services.router, bus: services.bus, log: services.log, appOrigin })
    app.once('will-quit', () => ipc.dispose())
    mainWindow = createMainWindow({
      preloadPath: join(import.meta.dirname, '../preload/preload.cjs'),
      entryUrl: devServerUrl ?? APP_ENTRY_URL,
      appOrigin,
      settings: new Settings(services.db),
    })
    ipc.addWindow(mainWindow)
  })
}
