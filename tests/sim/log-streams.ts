import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * The log port RecoverDatabaseFromBackup answers with: zstack-ctl's taillog serves the restore
 * log as Server-Sent Events, one `data: <line>` event per log line. Each stream replays what has
 * been logged so far, follows new lines, and ends when the restore is done.
 */
export interface LogStreamOptions {
  lineIntervalMs: number
  /** How long the port stays open after the last line, for late readers. */
  lingerMs: number
}

export class LogStreams {
  private readonly servers = new Set<Server>()

  constructor(private readonly options: LogStreamOptions) {}

  async start(lines: readonly string[]): Promise<number> {
    const produced: string[] = []
    const followers = new Set<ServerResponse>()
    let finished = false
    const server = createServer((req, res) => {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      })
      for (const line of produced) res.write(`data: ${line}\n\n`)
      if (finished) return void res.end()
      followers.add(res)
      req.on('close', () => followers.delete(res))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.servers.add(server)
    let i = 0
    const timer = setInterval(() => {
      const line = lines[i++]
      if (line !== undefined) {
        produced.push(line)
        for (const f of followers) f.write(`data: ${line}\n\n`)
      }
      if (i >= lines.length) {
        clearInterval(timer)
        finished = true
        for (const f of followers) f.end()
        followers.clear()
        setTimeout(() => this.stop(server), this.options.lingerMs).unref()
      }
    }, this.options.lineIntervalMs)
    timer.unref()
    return (server.address() as AddressInfo).port
  }

  closeAll(): void {
    for (const s of this.servers) this.stop(s)
  }

  private stop(server: Server): void {
    this.servers.delete(server)
    server.close()
    server.closeAllConnections()
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
