import type { AddressInfo } from 'node:net'
import { createServer, type Server, type Socket } from 'node:net'

/**
 * The log port RecoverDatabaseFromBackup answers with. The premium code is not public; the most
 * likely mechanism (spec README, "The live log"; that it is this one is a guess) is zstack-ctl's
 * `taillog --listen-port` (zstackio/zstack-utility branch 3.0.0 `zstackctl/zstackctl/ctl.py`,
 * `TailLogCmd.run`): `(echo -e 'HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *\nContent-type:
 * text/event-stream\n' && tail -f <log> | sed -u -e 's/^/data: /;s/$/\n/') | nc -lp PORT`.
 * Modelled here:
 * - a raw TCP listener that takes ONE connection and then stops listening (`nc -l` accepts once):
 *   a second reader is refused, and a reader that drops cannot come back;
 * - exactly those headers with bare LF line ends (echo's own newline ends them with a blank line),
 *   then `data: <line>` and a blank line per log line (sed adds the second newline); the request
 *   the reader sends is read and ignored (nc writes it to its stdout);
 * - everything logged since the start reaches the reader, however late it connects (the pipe into
 *   nc holds it; guess: past the pipe's 64 KiB tail would block instead);
 * - the stream never ends by itself (`tail -f`): it stays open after the last line until the
 *   reader leaves or the simulator closes.
 */
export interface LogStreamOptions {
  lineIntervalMs: number
}

const HEADERS = 'HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *\nContent-type: text/event-stream\n\n'

export class LogStreams {
  private readonly servers = new Set<Server>()
  private readonly sockets = new Set<Socket>()
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(private readonly options: LogStreamOptions) {}

  async start(lines: readonly string[]): Promise<number> {
    const produced: string[] = []
    let reader: Socket | null = null
    const server = createServer((socket) => {
      // nc -l: one connection, then the listener is gone.
      this.stopListening(server)
      reader = socket
      this.sockets.add(socket)
      socket.on('data', () => {})
      socket.on('error', () => {})
      socket.on('close', () => {
        this.sockets.delete(socket)
        reader = null
      })
      socket.write(HEADERS)
      for (const line of produced) socket.write(`data: ${line}\n\n`)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.servers.add(server)
    const port = (server.address() as AddressInfo).port
    let i = 0
    const timer = setInterval(() => {
      const line = lines[i++]
      if (line !== undefined) {
        produced.push(line)
        ;(reader as Socket | null)?.write(`data: ${line}\n\n`)
      }
      if (i >= lines.length) {
        clearInterval(timer)
        this.timers.delete(timer)
      }
    }, this.options.lineIntervalMs)
    timer.unref()
    this.timers.add(timer)
    return port
  }

  /** Test hook: cuts the reader's connection, as a lost link would (the port stays closed). */
  dropReaders(): void {
    for (const s of this.sockets) s.destroy()
  }

  closeAll(): void {
    for (const t of this.timers) clearInterval(t)
    this.timers.clear()
    for (const s of this.servers) this.stopListening(s)
    for (const s of this.sockets) s.destroy()
  }

  private stopListening(server: Server): void {
    if (!this.servers.delete(server)) return
    server.close()
  }
}

/** What zstack-ctl restore_mysql prints, in order (see the digest's zstack-ctl section). */
export function restoreLogLines(file: string): string[] {
  return [
    `Checking the backup file ${file} ...`,
    'Checking the MySQL root password ...',
    'Backing up the current database before restoring (dump_mysql) ...',
    'Stopping the management node ...',
    'Recreating database zstack ...',
    'Importing data to database zstack ...',
    'Recreating database zstack_rest ...',
    'Importing data to database zstack_rest ...',
    'Recreating database zstack_ui ...',
    'Importing data to database zstack_ui ...',
    'Starting the management node ...',
    'Recover data successfully',
  ]
}
