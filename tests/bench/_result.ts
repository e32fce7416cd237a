/**
 * What the benchmarks timed in seconds share: the median of their rounds, the machine's load to
 * print beside each figure, and the last line `npm run bench` reads (see main.ts).
 */
import { cpus, loadavg } from 'node:os'

/** The middle value; of an even count, the mean of the two middle ones. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

export function loadLine(): string {
  const [one, five] = loadavg()
  return `load average ${one?.toFixed(1)} (1 min), ${five?.toFixed(1)} (5 min) on ${cpus().length} cores`
}

/** The result line: ours and the baseline in seconds, their ratio, and any figures of the bench's own. */
export function printSecondsResult(
  bench: string,
  value: number,
  baseline: number,
  extra: Record<string, number> = {},
): void {
  const three = (n: number) => Number(n.toFixed(3))
  console.log(
    JSON.stringify({
      bench,
      value: three(value),
      unit: 's',
      baseline: three(baseline),
      ratio: three(value / baseline),
      ...extra,
    }),
  )
}
