import { resolve } from 'node:path'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { SshHostRequest } from '../api/contract/ssh.js'
import { AppError } from '../errors/app-error.js'
import { registerSecret } from '../errors/redact.js'
import { parseHostSpec, targetLabel } from '../ssh/target.js'
import { sshPassphraseKey, sshPasswordKey } from '../vault/keys.js'
import type { CliContext } from './context.js'

export const PASSWORD_ENV = 'ZSDR_SSH_PASSWORD'
export const PASSPHRASE_ENV = 'ZSDR_SSH_KEY_PASSPHRASE'

/** What `addSshOptions` adds to a command's parsed options. */
export interface SshCliOptions {
  identity?: string
  port?: number
  user?: string
  jump?: string
  sshConfig?: string
  knownHosts?: string
  acceptNewHostKey?: boolean
  agent: boolean
  passwordStdin?: boolean
  passphraseStdin?: boolean
  rememberPassword?: boolean
}

/** The host-key and config choices of a request (`sshSessionFields` in the contract). */
export interface SshSessionRequest {
  acceptNewHostKey: boolean
  knownHostsFile?: string
  sshConfigFile?: string | null
}

/**
 * SSH options shared by `zsdr db scan`, `db fetch` and `db restore`. Secrets never come from
 * argv: a password from stdin, the keychain or $ZSDR_SSH_PASSWORD; a key passphrase from stdin or
 * $ZSDR_SSH_KEY_PASSPHRASE.
 */
export function addSshOptions(command: Command): Command {
  return command
    .option('-i, --identity <file>', 'private key file (OpenSSH or PEM) / 私钥文件')
    .option(
      '--port <port>',
      'SSH port when the host does not give one (default 22 or ~/.ssh/config)',
      parsePort,
    )
    .option('--user <user>', 'SSH user when the host does not give one (default ~/.ssh/config, else yours)')
    .option('-J, --jump <hosts>', 'jump host(s) as for ssh -J: [user@]host[:port][,...] / 跳板机')
    .option('--ssh-config <file>', 'OpenSSH client config to honour (default ~/.ssh/config; "none" for none)')
    .option(
      '--known-hosts <file>',
      "known-hosts file for trusted host keys (default: the app's own; ~/.ssh/known_hosts is also read)",
    )
    .option(
      '--accept-new-host-key',
      'trust a host key seen for the first time (a CHANGED key is always refused) / 接受首次出现的主机密钥',
    )
    .option('--no-agent', 'do not use ssh-agent ($SSH_AUTH_SOCK)')
    .option('--password-stdin', `read the SSH password from the first line of stdin (or set ${PASSWORD_ENV})`)
    .addOption(
      new Option(
        '--passphrase-stdin',
        `read the key passphrase from stdin (the line after the password if both; or set ${PASSPHRASE_ENV})`,
      ),
    )
    .option(
      '--remember-password',
      'keep the password in the system keychain for next time (default: this run only)',
    )
    .addHelpText(
      'after',
      `\nSecrets: never on the command line. SSH password: --password-stdin, the keychain, or $${PASSWORD_ENV}.\n` +
        `Key passphrase: --passphrase-stdin or $${PASSPHRASE_ENV}. ssh://user:password@host URLs are refused here.\n` +
        'Host keys: an unknown key needs --accept-new-host-key (check its SHA256 fingerprint first); a changed key is refused.',
    )
}

/** One host as an API request, from a host argument plus the shared options. */
export function sshTargetFromOptions(hostSpec: string, opts: SshCliOptions): SshHostRequest {
  if (/^ssh:\/\/[^@/]*:[^@/]*@/i.test(hostSpec)) {
    // It is already in this process's argv; at least make sure it is never printed back.
    registerSecret(decodeURIComponent(hostSpec.replace(/^ssh:\/\/[^:]*:([^@]*)@.*$/i, '$1')))
    throw new AppError('cli.secret_in_argv', {
      en: `Passwords are not accepted on the command line (other users can see it). Give the host without the password and pass it with --password-stdin or $${PASSWORD_ENV}.`,
      zh: `命令行中不接受密码（其他用户可以看到）。请去掉主机中的密码，并通过 --password-stdin 或 $${PASSWORD_ENV} 提供。`,
    })
  }
  const parsed = parseHostSpec(hostSpec)
  const req: SshHostRequest = { host: hostSpec }
  if (parsed.port === undefined && opts.port !== undefined) req.port = opts.port
  if (parsed.user === undefined && opts.user !== undefined) req.user = opts.user
  if (opts.identity) req.identityFile = resolve(opts.identity)
  if (opts.jump) req.proxyJump = opts.jump
  if (!opts.agent) req.agent = false
  return req
}

export function sshSessionFromOptions(opts: SshCliOptions): SshSessionRequest {
  const session: SshSessionRequest = { acceptNewHostKey: Boolean(opts.acceptNewHostKey) }
  if (opts.knownHosts) session.knownHostsFile = opts.knownHosts
  if (opts.sshConfig) session.sshConfigFile = opts.sshConfig === 'none' ? null : opts.sshConfig
  return session
}

/**
 * The `user@host:port` a host argument resolves to (through ~/.ssh/config): the vault key of its
 * password. The config parser is loaded here, when a command needs it, not at start-up.
 */
export async function sshLabelFor(host: SshHostRequest, opts: SshCliOptions): Promise<string> {
  const { resolveTarget } = await import('../ssh/ssh-config.js')
  const session = sshSessionFromOptions(opts)
  const target = {
    ...parseHostSpec(host.host),
    ...(host.port ? { port: host.port } : {}),
    ...(host.user ? { user: host.user } : {}),
  }
  return targetLabel(
    resolveTarget(target, session.sshConfigFile === undefined ? {} : { configFile: session.sshConfigFile }),
  )
}

/**
 * Reads the secrets the options point at (stdin, environment) and puts them in the vault under
 * the keys the SSH service looks up, for the given `user@host:port` labels: this run only, or
 * the keychain with --remember-password.
 */
export async function storeSshSecrets(
  ctx: CliContext,
  labels: readonly string[],
  opts: SshCliOptions,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<void> {
  const lines = opts.passwordStdin || opts.passphraseStdin ? await readLines(stdin) : []
  const password = opts.passwordStdin ? lines.shift() : process.env[PASSWORD_ENV]
  const passphrase = opts.passphraseStdin ? lines.shift() : process.env[PASSPHRASE_ENV]
  if (password) {
    for (const label of labels) {
      await ctx.call('vault.set', {
        key: sshPasswordKey(label),
        secret: password,
        remember: Boolean(opts.rememberPassword),
      })
    }
  }
  if (passphrase && opts.identity) {
    await ctx.call('vault.set', {
      key: sshPassphraseKey(resolve(opts.identity)),
      secret: passphrase,
      remember: false,
    })
  }
}

async function readLines(stream: NodeJS.ReadableStream): Promise<string[]> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)))
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('a port is 1-65535')
  return port
}
