/**
 * Hash routing: `#/<screen>?<params>`. The hash keeps the app a single static page (the web host
 * and the Electron app:// protocol serve only index.html) and survives reloads.
 */
export const SCREENS = [
  'home',
  'overview',
  'connections',
  'volume-backups',
  'vm-backups',
  'database-backups',
  'recovery',
  'jobs',
  'schedules',
] as const
export type ScreenId = (typeof SCREENS)[number]

interface Route {
  screen: ScreenId
  params: URLSearchParams
  /** The hash names a screen (false on a first visit with no hash: the app picks the first screen). */
  explicit: boolean
}

function parse(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2)
  const screen = (SCREENS as readonly string[]).includes(path) ? (path as ScreenId) : 'home'
  return { screen, params: new URLSearchParams(query), explicit: path !== '' }
}

const state = $state({ route: parse(location.hash) })
window.addEventListener('hashchange', () => {
  state.route = parse(location.hash)
})

export const router = {
  get screen(): ScreenId {
    return state.route.screen
  },
  get explicit(): boolean {
    return state.route.explicit
  },
  param(name: string): string | null {
    return state.route.params.get(name)
  },
  href(screen: ScreenId, params?: Record<string, string>): string {
    const query = params ? new URLSearchParams(params).toString() : ''
    return `#/${screen}${query ? `?${query}` : ''}`
  },
  go(screen: ScreenId, params?: Record<string, string>): void {
    location.hash = this.href(screen, params)
  },
}
