// '.js': Node's ESM resolver (the built app and CLI) needs the file name; this package has no exports map.
import cronstrue from 'cronstrue/i18n.js'
import type { ScheduleWhen } from '../../api/contract/schedules.js'
import type { LocalizedText } from '../../errors/app-error.js'

/** The Quartz cron of a preset (seconds first; `?` where the other day field rules). */
export function cronOf(when: ScheduleWhen): string {
  const hm = (t: string) => {
    const [h, m] = t.split(':').map(Number)
    return `${m} ${h}`
  }
  switch (when.kind) {
    case 'hourly':
      return `0 ${when.minute} * * * ?`
    case 'daily':
      return `0 ${hm(when.time)} * * ?`
    case 'weekly':
      return `0 ${hm(when.time)} ? * ${when.days.join(',')}`
    case 'cron':
      return when.cron.trim()
  }
}

/** A Quartz cron in words (cronstrue; weekdays 1 = Sunday as Quartz counts them). */
export function cronInWords(cron: string): LocalizedText {
  const say = (locale: string) =>
    cronstrue.toString(cron, { dayOfWeekStartIndexZero: false, use24HourTimeFormat: true, locale })
  return { en: say('en'), zh: say('zh_CN') }
}

/** A simple trigger's interval in words. */
export function intervalInWords(seconds: number): LocalizedText {
  const units: [number, string, string][] = [
    [86_400, 'day', '天'],
    [3600, 'hour', '小时'],
    [60, 'minute', '分钟'],
    [1, 'second', '秒'],
  ]
  const [size, en, zh] = units.find(([u]) => seconds % u === 0)!
  const n = seconds / size
  return { en: n === 1 ? `Every ${en}` : `Every ${n} ${en}s`, zh: `每 ${n} ${zh}` }
}
