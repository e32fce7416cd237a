/** The colour theme: the OS's (`system`) unless the user picked light or dark; the pick is remembered. */
export type Theme = 'system' | 'light' | 'dark'
export const THEMES: readonly Theme[] = ['system', 'light', 'dark']
const STORAGE_KEY = 'zsdr.theme'

function saved(): Theme {
  const value = localStorage.getItem(STORAGE_KEY)
  return value === 'light' || value === 'dark' ? value : 'system'
}

/** global.css reads `data-theme` on <html>: absent = follow the OS. */
function apply(theme: Theme): void {
  if (theme === 'system') document.documentElement.removeAttribute('data-theme')
  else document.documentElement.dataset.theme = theme
}

const state = $state({ theme: saved() })
apply(state.theme)

export const theme = {
  get value(): Theme {
    return state.theme
  },
  set value(value: Theme) {
    state.theme = value
    localStorage.setItem(STORAGE_KEY, value)
    apply(value)
  },
}
