import type { Client, ClientChannel, SFTPWrapper } from 'ssh2'
import { AppError } from '../errors/app-error.js'
import type { RemoteHost, RemoteProcess, RunResult } from './remote-host.js'
import { collectRun } from './run-collect.js'

/**
 * A `RemoteHost` over one ssh2 connection (plus the jump-host connections it rides on, closed
 * with it). `sftp()` gives the file-transfer channel, opened once and reused.
 */
export class SshHost implements RemoteHost {
  private sftpChannel: Promise<SFTPWrapper> | null = null
  private isClosed = false

  constructor(
    private readonly client: Client,
    private readonly jumps: readonly Client[],
    readonly label: string,
    readonly hostKeyFingerprint: string,
  ) {
    // After the handshake, socket errors (a reset link) are followed by 'close', which is what
    // callers act on; without a listener an 'error' event would crash the process.
    for (const c of [client, ...jumps]) c.on('error', () => {})
    client.once('close', () => {
      this.isClosed = true
      this.sftpChannel = null
      for (const j of this.jumps) j.end()
    })
  }

  /** True once the connection has ended, on purpose or not (a dropped link during a fetch). */
  get closed(): boolean {
    return this.isClosed
  }

  exec(command: string, options: { signal?: AbortSignal } = {}): Promise<RemoteProcess> {
    this.assertOpen()
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel) => {
        if (err) return reject(channelError(this.label))
        resolve(toProcess(channel, options.signal))
      })
    })
  }

  async run(
    command: string,
    options: { stdin?: string | Buffer; signal?: AbortSignal } = {},
  ): Promise<RunResult> {
    return collectRun(await this.exec(command, options), options.stdin, this.label)
  }

  sftp(): Promise<SFTPWrapper> {
    this.assertOpen()
    if (!this.sftpChannel) {
      this.sftpChannel = this.openSftp()
      this.sftpChannel.catch(() => {
        this.sftpChannel = null
      })
    }
    return this.sftpChannel
  }

  /** Another SFTP channel on this connection, for parallel transfers; the caller ends it. */
  openSftp(): Promise<SFTPWrapper> {
    this.assertOpen()
    return new Promise((resolve, reject) => {
      this.client.sftp((err, sftp) => (err ? reject(channelError(this.label)) : resolve(sftp)))
    })
  }

  /** Ends the connection and waits for the socket to close (bounded, so teardown never hangs). */
  async close(): Promise<void> {
    if (this.isClosed) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.client.destroy()
        resolve()
      }, 3000)
      this.client.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      this.client.end()
    })
  }

  private assertOpen(): void {
    if (this.isClosed) throw channelError(this.label)
  }
}

function toProcess(channel: ClientChannel, signal: AbortSignal | undefined): RemoteProcess {
  let exitInfo: { code: number | null; signal: string | null } = { code: null, signal: null }
  channel.on('exit', (code: number | null, sig?: string) => {
    exitInfo = { code: typeof code === 'number' ? code : null, signal: sig ?? null }
  })
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    channel.on('close', () => resolve(exitInfo))
  })
  const kill = (): void => {
    // OpenSSH honours the signal request; closing the channel covers servers that do not.
    channel.signal('KILL')
    channel.close()
  }
  if (signal) {
    if (signal.aborted) queueMicrotask(kill)
    else signal.addEventListener('abort', kill, { once: true })
    void exit.then(() => signal.removeEventListener('abort', kill))
  }
  return { stdin: channel, stdout: channel, stderr: channel.stderr, exit, kill }
}

function channelError(label: string): AppError {
  return new AppError(
    'ssh.connection_lost',
    { en: `The SSH connection to ${label} is closed.`, zh: `与 ${label} 的 SSH 连接已关闭。` },
    { host: label },
  )
}
