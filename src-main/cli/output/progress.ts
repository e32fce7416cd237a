import type { Command } from 'commander'
import type { OperationProgress } from '../../api/contract/index.js'
import { outputSettings, type Streams } from './index.js'
import { truncate } from './table.js'
import { clock, humanBytes } from './values.js'

const TTY_EVERY_MS = 100
const PLAIN_EVERY_MS = 5000
const CLEAR_LINE = '\r\x1b[K'

/**
 * Progress of long work (sync, fetch, restore) on stderr: on a terminal one line that updates in
 * place, with rate and ETA; otherwise a plain line when the phase changes and every few seconds
 * (a log file gets no carriage returns); nothing with --quiet.
 */
export class ProgressLine {
  private lastAt = 0
  private lastPhase = ''
  private shown = ''

  private constructor(
    private readonly io: Streams,
    private readonly mode: 'tty' | 'plain' | 'quiet',
  ) {}

  static for(command: Command, io: Streams): ProgressLine {
    const quiet = outputSettings(command, io).quiet
    return new ProgressLine(io, quiet ? 'quiet' : io.stderr.isTTY ? 'tty' : 'plain')
  }

  update(p: OperationProgress): void {
    const now = Date.now()
    const phaseChanged = p.phase !== this.lastPhase
    this.lastPhase = p.phase
    if (this.mode === 'quiet') return
    if (!phaseChanged && now - this.lastAt < (this.mode === 'tty' ? TTY_EVERY_MS : PLAIN_EVERY_MS)) return
    this.lastAt = now
    const text = progressText(p)
    if (this.mode === 'plain') {
      this.io.stderr.write(`${text}\n`)
      return
    }
    this.shown = truncate(text, (this.io.stderr.columns ?? 80) - 1)
    this.io.stderr.control(CLEAR_LINE, this.shown)
  }

  /** A line of its own (a log entry) above the progress line; `--quiet` does not hide these. */
  say(line: string): void {
    if (this.mode !== 'tty' || !this.shown) {
      this.io.stderr.write(`${line}\n`)
      return
    }
    this.io.stderr.control(CLEAR_LINE, `${line}\n${this.shown}`)
  }

  /** Removes the line (before the result is printed). */
  end(): void {
    if (this.mode === 'tty' && this.shown) this.io.stderr.control(CLEAR_LINE)
    this.shown = ''
  }
}

/** `download  [#####.......]  1.2 GiB/4.0 GiB 30%  85.0 MiB/s  ETA 0:34` */
export function progressText(p: OperationProgress): string {
  const amount = (n: number) => (p.unit === 'bytes' ? humanBytes(n) : `${n} ${p.unit}`)
  const ratio = p.total ? Math.min(1, p.done / p.total) : null
  const bar = ratio === null ? '' : ` [${'#'.repeat(Math.round(ratio * 20)).padEnd(20, '.')}]`
  const parts = [
    `${p.phase}${bar}`,
    `${amount(p.done)}${p.total !== null ? `/${amount(p.total)}` : ''}${ratio === null ? '' : ` ${Math.floor(ratio * 100)}%`}`,
  ]
  if (p.ratePerSecond) parts.push(`${amount(Math.round(p.ratePerSecond))}/s`)
  if (p.etaSeconds !== null) parts.push(`ETA ${clock(p.etaSeconds)}`)
  return parts.join('  ')
}
