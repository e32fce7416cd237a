import type { Client, ClientChannel, SFTPWrapper } from 'ssh2'
import { AppError } from '../errors/app-error.js'
import type { ExecOptions, RemoteHost, RemoteProcess, RunResult } from './remote-host.js'
import { collectRun } from './run-collect.js'
import { withDirectReads } from './sftp-direct-reads.js'

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

  exec(command: string, options: ExecOptions = {}): Promise<RemoteProcess> {
    return this.openChannel<ClientChannel, RemoteProcess>(
      (cb) => this.client.exec(command, cb),
      (channel) => toProcess(channel, options.signal),
      !options.extra,
    )
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
      this.sftpChannel = this.openChannel<SFTPWrapper, SFTPWrapper>(
        (cb) => this.client.sftp(cb),
        withDirectReads,
        true,
      )
      this.sftpChannel.catch(() => {
        this.sftpChannel = null
      })
    }
    return this.sftpChannel
  }

  /**
   * Ends the shared SFTP channel, if one is open, and waits until the server has closed it: a host
   * may allow one channel per connection (sshd's MaxSessions), and a command run next needs it.
   */
  async closeSftp(): Promise<void> {
    const channel = this.sftpChannel
    this.sftpChannel = null
    const sftp = await channel?.catch(() => null)
    if (!sftp || this.isClosed) return
    await new Promise<void>((resolve) => {
      sftp.once('close', () => resolve())
      sftp.end()
    })
  }

  /**
   * Another SFTP channel on this connection, for parallel transfers; the caller ends it. Not tried
   * again if refused: more channels are an extra, and a refusal says the host's limit is reached.
   */
  openSftp(): Promise<SFTPWrapper> {
    return this.openChannel<SFTPWrapper, SFTPWrapper>((cb) => this.client.sftp(cb), withDirectReads, false)
  }

  /**
   * Opens a channel. A server refuses one beyond its limit (sshd's MaxSessions, 1 on some hardened
   * hosts), and a channel just closed here may not be free on its side yet: with `retry`, a refusal
   * is tried again after the pauses below before it counts. `use` runs inside ssh2's callback: a
   * short command's exit and close can come in the same read as the channel, before any await.
   */
  private async openChannel<C, R>(
    open: (cb: (err: Error | undefined, channel: C) => void) => void,
    use: (channel: C) => R,
    retry: boolean,
  ): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      this.assertOpen()
      const opened = await new Promise<{ value: R } | null>((resolve) =>
        open((err, channel) => resolve(err ? null : { value: use(channel) })),
      )
      if (opened) return opened.value
      const pause = REFUSED_CHANNEL_PAUSES_MS[attempt]
      if (this.isClosed || !retry || pause === undefined) throw channelError(this.label, this.isClosed)
      await new Promise((resolve) => setTimeout(resolve, pause))
    }
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
    if (this.isClosed) throw connectionLost(this.label)
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

function connectionLost(label: string): AppError {
  return new AppError(
    'ssh.connection_lost',
    { en: `The SSH connection to ${label} is closed.`, zh: `与 ${label} 的 SSH 连接已关闭。` },
    { host: label },
  )
}

/** Pauses before a refused channel is asked for again (0.8 s in all). */
const REFUSED_CHANNEL_PAUSES_MS = [20, 50, 100, 200, 400]

function channelError(label: string, connectionClosed: boolean): AppError {
  if (connectionClosed) return connectionLost(label)
  return new AppError(
    'ssh.channel_refused',
    {
      en: `${label} refused to open another channel on the SSH connection: its sshd may allow fewer sessions at once (MaxSessions).`,
      zh: `${label} 拒绝在 SSH 连接上再打开一个通道：其 sshd 允许的同时会话数可能过少（MaxSessions）。`,
    },
    { host: label },
  )
}
