import i18next from 'i18next'
import type { ErrorEnvelope, LocalizedText } from '../../../src-main/api/contract/index.js'
import { type Catalogue, en, type MessageKey } from './en.js'
import { zhCN } from './zh-CN.js'

export type Locale = 'en' | 'zh-CN'
export const LOCALES: readonly Locale[] = ['zh-CN', 'en']
const STORAGE_KEY = 'zsdr.locale'

const catalogues: Record<Locale, Catalogue> = { en, 'zh-CN': zhCN }

/** The OS/browser language decides until the user picks one; the pick is remembered. */
function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (saved === 'en' || saved === 'zh-CN') return saved
  return navigator.languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en'
}

const state = $state({ locale: initialLocale() })

i18next.init({
  lng: state.locale,
  fallbackLng: false,
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  showSupportNotice: false,
  resources: Object.fromEntries(Object.entries(catalogues).map(([lng, c]) => [lng, { translation: c }])),
  // A missing key must be visible (and fail the e2e language test), never silently English.
  parseMissingKeyHandler: (key) => `⟦${key}⟧`,
})

export const i18n = {
  get locale(): Locale {
    return state.locale
  },
  set locale(value: Locale) {
    state.locale = value
    localStorage.setItem(STORAGE_KEY, value)
    document.documentElement.lang = value
  },
}

document.documentElement.lang = state.locale

/** Translates `key` in the current locale; reading `state.locale` makes templates re-render on switch. */
export function t(key: MessageKey, values?: Record<string, string | number>): string {
  return i18next.t(key, { lng: state.locale, ...values })
}

/** A key with plural forms (`<base>_one`, `<base>_other`…), named by its base. */
export type PluralKey = MessageKey extends infer K ? (K extends `${infer B}_other` ? B : never) : never

/** "1 row" / "2 rows": i18next picks the form the language's plural rules need for `count`. */
export function plural(key: PluralKey, count: number, values?: Record<string, string | number>): string {
  return i18next.t(key, { lng: state.locale, ...values, count })
}

/** Picks the user's language from a message that came from the backend. */
export function localized(text: LocalizedText): string {
  return state.locale === 'zh-CN' ? text.zh : text.en
}

/** A ZStack API's name in the user's language (`api.<Name>`), or the name itself when unknown. */
export function apiLabel(api: string): string {
  const key = `api.${api}`
  return Object.hasOwn(en, key) ? t(key as MessageKey) : api
}

/** The kind of a long operation (`db.scan`, `db.fetch`, `restore.run`...) in the user's language, if known. */
export function kindLabel(kind: string): string | null {
  const key = `opkind.${kind}`
  return Object.hasOwn(en, key) ? t(key as MessageKey) : null
}

/**
 * A backend error's message as the window should say it. Messages written for both the CLI and
 * the window name command-line options; where the catalogue has `gui.error.<code>` that text is
 * used instead, filled from the error's details (host, file…). Otherwise the backend's text.
 */
export function errorText(error: ErrorEnvelope): string {
  const key = `gui.error.${error.code}`
  if (!Object.hasOwn(en, key)) return localized(error.message)
  const values = Object.fromEntries(
    Object.entries(error.details ?? {}).filter((e): e is [string, string | number] =>
      ['string', 'number'].includes(typeof e[1]),
    ),
  )
  return t(key as MessageKey, values)
}

/** A ZStack status or state value (`Ready`, `Enabled`, `Running`…) in the user's language; unknown ones as they came. */
export function statusLabel(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const key = `status.${value}`
  return Object.hasOwn(en, key) ? t(key as MessageKey) : value
}

/**
 * A server error's generic description (ZStack's text for its code, e.g. SYS.1006 "An operation
 * failed") in the user's language, when it is the known English text for that code; else as it came.
 */
export function serverDescription(code: string | null, description: string): string {
  const key = `server.${code}`
  return Object.hasOwn(en, key) && en[key as MessageKey] === description ? t(key as MessageKey) : description
}

/** A progress phase id (`download`, `verify`, a synced resource...) in the user's language, if known. */
export function phaseLabel(phase: string): string {
  for (const key of [`opphase.${phase}`, `conn.cache.resource.${phase}`]) {
    if (Object.hasOwn(en, key)) return t(key as MessageKey)
  }
  return phase
}
