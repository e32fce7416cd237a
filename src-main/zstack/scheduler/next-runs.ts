import { Cron } from 'croner'
import { AppError } from '../../errors/app-error.js'

/**
 * Quartz cron (what a 3.0.0 node's scheduler reads: seconds first, optional year, `?`, `L`, `W`,
 * `#`, weekdays 1 = Sunday … 7 = Saturday) read by croner in its Quartz mode; no parser of our own.
 */
function quartz(cron: string, timeZone?: string): Cron {
  try {
    return new Cron(cron, {
      mode: '6-or-7-parts',
      alternativeWeekdays: true,
      paused: true,
      ...(timeZone ? { timezone: timeZone } : {}),
    })
  } catch (e) {
    throw new AppError(
      'zstack.scheduler_cron',
      {
        en: `"${cron}" is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]): ${e instanceof Error ? e.message : String(e)}`,
        zh: `"${cron}" 不是 Quartz cron 表达式（秒 分 时 日 月 周 [年]）。`,
      },
      { cron },
    )
  }
}

/** Throws a clear AppError when the expression is not a Quartz cron. */
export function checkQuartzCron(cron: string): void {
  quartz(cron)
}

/**
 * The next `count` runs after `from` in the node's time zone (an IANA name; the host's when
 * unknown). Fewer when the expression ends (a year field in the past).
 */
export function nextCronRuns(cron: string, count: number, from: Date, timeZone?: string): Date[] {
  return quartz(cron, timeZone).nextRuns(count, from)
}

/** The next runs of a simple trigger: start, then every interval seconds, repeatCount times (0 = forever, a guess). */
export function nextSimpleRuns(
  startSeconds: number,
  intervalSeconds: number,
  repeatCount: number,
  count: number,
  from: Date,
): Date[] {
  const out: Date[] = []
  const fromS = from.getTime() / 1000
  const skipped = fromS < startSeconds ? 0 : Math.floor((fromS - startSeconds) / intervalSeconds) + 1
  for (let i = skipped; out.length < count; i++) {
    if (repeatCount > 0 && i > repeatCount) break
    out.push(new Date((startSeconds + i * intervalSeconds) * 1000))
  }
  return out
}
