import { BrowserWindow, type Session, screen, shell, type WebContents } from 'electron'
import type { Settings } from '../db/settings.js'
import { sameOrigin } from './app-origin.js'
import { externalUrlAllowed } from './security.js'
import { loadWindowState, MIN_SIZE, placeWindow, saveWindowState } from './window-state.js'

export interface MainWindowOptions {
  /** Absolute path of the single-file CommonJS preload. */
  preloadPath: string
  /** The page to load: `app://zsdr/index.html`, or the electron-vite dev server in development. */
  entryUrl: string
  /** The only origin the window may show and the only one whose frames may call the API. */
  appOrigin: string
  settings: Settings
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const saved = loadWindowState(options.settings)
  const bounds = placeWindow(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
  )
  const win = new BrowserWindow({
    ...bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'ZStack DR Desk',
    // Written out here (not built elsewhere) so static scanners see them. The renderer gets no Node,
    // no remote content, no webviews: everything goes through the preload bridge.
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // Middle-click would otherwise try to open links in a new window.
      disableBlinkFeatures: 'Auxclick',
    },
  })
  if (saved?.maximized) win.maximize()
  win.once('ready-to-show', () => win.show())
  hardenWebContents(win.webContents, options.appOrigin)
  denyPermissions(win.webContents.session)
  win.on('close', () => {
    try {
      saveWindowState(options.settings, { bounds: win.getNormalBounds(), maximized: win.isMaximized() })
    } catch {
      // Only the window's position is lost; failing here would put an error dialog on the way out.
    }
  })
  void win.loadURL(options.entryUrl)
  return win
}

const hardened = new WeakSet<WebContents>()

/**
 * Keeps a web contents on the app's origin: no new windows, no navigation or redirect elsewhere, no
 * webviews. A link the user follows to an http(s) page opens in the system browser instead.
 * Idempotent: the main window's contents get here twice (the window and `web-contents-created`),
 * and a link must not open twice.
 */
export function hardenWebContents(contents: WebContents, appOrigin: string): void {
  if (hardened.has(contents)) return
  hardened.add(contents)
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event) => {
    if (sameOrigin(event.url, appOrigin)) return
    event.preventDefault()
    openExternally(event.url)
  })
  contents.on('will-redirect', (event) => {
    if (!sameOrigin(event.url, appOrigin)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
  })
}

/** The app needs no camera, notifications, geolocation or the like: every request and check says no. */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

/** The only place the app hands a URL to the OS: plain http(s) without credentials, nothing else. */
function openExternally(url: string): void {
  if (!externalUrlAllowed(url)) return
  void shell.openExternal(url)
}
