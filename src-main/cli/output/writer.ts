import { safeBlock } from './terminal-safe.js'

/**
 * stdout or stderr of the CLI. `write` makes every control character visible, so no command can
 * print a remote name raw by forgetting to; only `control` (the progress line's own carriage
 * return and erase) passes escape sequences, and only what this program wrote itself.
 */
export class TerminalWriter {
  private closed = false

  constructor(private readonly raw: NodeJS.WritableStream) {
    // `zsdr query ... | head -1`: the reader leaving early is normal, not a crash.
    raw.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e
      this.closed = true
    })
  }

  get isTTY(): boolean {
    return (this.raw as NodeJS.WriteStream).isTTY === true
  }

  /** Terminal width in cells, when it is a terminal that says. */
  get columns(): number | undefined {
    const c = (this.raw as NodeJS.WriteStream).columns
    return this.isTTY && typeof c === 'number' && c > 0 ? c : undefined
  }

  write(text: string): void {
    if (!this.closed) this.raw.write(safeBlock(text))
  }

  /** `sequence` is this program's own cursor control; `text` is made safe like any other. */
  control(sequence: string, text = ''): void {
    if (!this.closed) this.raw.write(sequence + safeBlock(text))
  }
}
