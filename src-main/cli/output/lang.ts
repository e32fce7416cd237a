import type { LocalizedText } from '../../errors/app-error.js'

/** The CLI speaks English or Chinese: `--lang`, else the locale (LC_ALL, LC_MESSAGES, LANG). */
export type CliLang = 'en' | 'zh'

export const cliLangs = ['en', 'zh'] as const

export function pickLang(option: string | undefined, env: NodeJS.ProcessEnv = process.env): CliLang {
  // An empty variable counts as unset, as in POSIX locale lookup.
  const locale = option || env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  return /^zh/i.test(locale) ? 'zh' : 'en'
}

/** The text in `lang`, with `{name}` placeholders filled. */
export function say(lang: CliLang, text: LocalizedText, vars: Record<string, string | number> = {}): string {
  return text[lang].replace(/\{(\w+)\}/g, (whole, name: string) =>
    vars[name] === undefined ? whole : String(vars[name]),
  )
}
