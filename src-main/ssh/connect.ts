import { existsSync, readFileSync } from 'node:fs'
import type { Duplex } from 'node:stream'
import ssh2, { type AuthenticationType, type Client, type ConnectConfig } from 'ssh2'
import { AppError } from '../errors/app-error.js'
import { registerSecret } from '../errors/redact.js'
import { sshAlgorithms } from './algorithms.js'
import { keyPassphraseError, keyUnreadableError, noCredentialsError, sshError } from './errors.js'
import { type HostKeyPolicy, verifyHostKey } from './host-key.js'
import { type ConfigSources, resolveTarget } from './ssh-config.js'
import { SshHost } from './ssh-host.js'

import { parseHostSpec, type ResolvedTarget, type SshTarget, targetLabel } from './target.js'

// ssh2 is CommonJS: under plain Node ESM only its default export is reliable.
const { Client: SshClient, utils } = ssh2

/** Secrets for one host, looked up when it is dialled (vault, prompt, stdin). Held in memory only. */
export interface HostCredentials {
  password?: string
  /** For an encrypted identity file; looked up per file. */
  passphrase?: (identityFile: string) => Promise<string | undefined> | string | undefined
}

export interface ConnectOptions extends HostKeyPolicy, ConfigSources {
  credentials?: (host: ResolvedTarget) => Promise<HostCredentials> | HostCredentials
  readyTimeoutMs?: number
  keepaliveIntervalMs?: number
  signal?: AbortSignal
}

const DEFAULT_READY_TIMEOUT_MS = 20_000
const DEFAULT_KEEPALIVE_MS = 15_000
const KEEPALIVE_COUNT_MAX = 4

/**
 * Connects to a target, honouring `~/.ssh/config` (aliases, ProxyJump chains), verifying every
 * host key on the way against the known-hosts files, and authenticating with ssh-agent,
 * identity files and/or a password. Resolves once the session is ready to run commands.
 */
export async function connectHost(target: SshTarget, options: ConnectOptions): Promise<SshHost> {
  const resolved = resolveTarget(target, options)
  const jumps: Client[] = []
  try {
    let sock: Duplex | undefined
    const hops = jumpChain(resolved, options)
    for (const [i, hop] of hops.entries()) {
      const { client } = await dial(hop, options, sock, target.agent)
      jumps.push(client)
      // Each hop opens the tunnel to the next one; the last opens it to the target.
      const next = hops[i + 1] ?? resolved
      sock = await forward(client, next.hostname, next.port, hop)
    }
    const { client, fingerprint } = await dial(resolved, options, sock, target.agent)
    return new SshHost(client, jumps, targetLabel(resolved), fingerprint)
  } catch (e) {
    for (const j of jumps) j.end()
    throw e
  }
}

/** ProxyJump hops in dialling order, each resolved through the config like OpenSSH does. */
function jumpChain(resolved: ResolvedTarget, sources: ConfigSources): ResolvedTarget[] {
  if (!resolved.proxyJump) return []
  return resolved.proxyJump
    .split(',')
    .map((spec) => resolveTarget({ ...parseHostSpec(spec), proxyJump: 'none' }, sources))
}

function forward(client: Client, host: string, port: number, via: ResolvedTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
      if (err) {
        reject(
          new AppError(
            'ssh.jump_failed',
            {
              en: `The jump host ${targetLabel(via)} could not open a connection to ${host}:${port}.`,
              zh: `跳板机 ${targetLabel(via)} 无法建立到 ${host}:${port} 的连接。`,
            },
            { jumpHost: targetLabel(via), host, port },
          ),
        )
      } else resolve(stream)
    })
  })
}

async function dial(
  t: ResolvedTarget,
  options: ConnectOptions,
  sock: Duplex | undefined,
  agentOption: string | false | undefined,
): Promise<{ client: Client; fingerprint: string }> {
  const label = targetLabel(t)
  const creds = (await options.credentials?.(t)) ?? {}
  registerSecret(creds.password)
  const auth = await authMethods(t, creds, agentOption)
  if (auth.length === 0) throw noCredentialsError(label)

  const client = new SshClient()
  let hostKeyFailure: unknown = null
  let fingerprint = ''
  const config: ConnectConfig = {
    host: t.hostname,
    port: t.port,
    username: t.user,
    sock,
    algorithms: sshAlgorithms(options.knownHosts.recordedKeyTypes(t.hostname, t.port)),
    readyTimeout: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    keepaliveInterval: options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
    authHandler: auth as unknown as AuthenticationType[],
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      verifyHostKey(options, { host: t.hostname, port: t.port, label }, key).then(
        (fp) => {
          fingerprint = fp
          verify(true)
        },
        (e: unknown) => {
          hostKeyFailure = e
          verify(false)
        },
      )
    },
  }

  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      client.destroy()
      reject(options.signal?.reason ?? new Error('aborted'))
    }
    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const settle = (fn: () => void): void => {
      options.signal?.removeEventListener('abort', onAbort)
      fn()
    }
    client.once('ready', () => settle(() => resolve({ client, fingerprint })))
    // 'on', not 'once': ssh2 may emit several errors while a failed connection unwinds.
    client.on('error', (e) =>
      settle(() => {
        client.destroy()
        reject(hostKeyFailure ?? sshError(e, label))
      }),
    )
    // A verifier may reject after the server already hung up: never leave the promise pending.
    client.once('close', () => settle(() => reject(hostKeyFailure ?? sshError(new Error('closed'), label))))
    client.connect(config)
    // Nagle's algorithm holds a small packet (a channel open, an exec request, a query on stdin,
    // each login message) until the previous one is acknowledged, and the peer delays that ACK
    // (40 ms on Linux): a short command cost about 45 ms on loopback instead of 7, and the login
    // 40 ms more (measured, #17). Every SSH packet is a whole message: nothing is gained by waiting.
    client.setNoDelay(true)
  })
}

type AuthMethod =
  | { type: 'agent'; username: string; agent: string }
  | { type: 'publickey'; username: string; key: Buffer; passphrase?: string }
  | { type: 'password'; username: string; password: string }
  | {
      type: 'keyboard-interactive'
      username: string
      prompt: (n: string, i: string, l: string, p: unknown[], finish: (r: string[]) => void) => void
    }

/**
 * The order OpenSSH uses: agent, then identity files, then password (also answered through
 * keyboard-interactive, which PAM-based servers offer instead of plain password auth).
 */
async function authMethods(
  t: ResolvedTarget,
  creds: HostCredentials,
  agentOption: string | false | undefined,
): Promise<AuthMethod[]> {
  const username = t.user
  const methods: AuthMethod[] = []
  const agent = agentOption === false ? undefined : (agentOption ?? process.env.SSH_AUTH_SOCK)
  if (agent) methods.push({ type: 'agent', username, agent })
  for (const file of t.identityFiles) {
    const key = await loadIdentity(file, creds, t.identitiesNamed)
    if (key) methods.push({ type: 'publickey', username, ...key })
  }
  if (creds.password !== undefined) {
    const password = creds.password
    methods.push({ type: 'password', username, password })
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)),
    })
  }
  return methods
}

/**
 * Reads and checks one identity file. Files the user named must work (a clear error otherwise);
 * default files (`~/.ssh/id_*`) that are missing or locked are skipped, as OpenSSH does in batch mode.
 */
async function loadIdentity(
  file: string,
  creds: HostCredentials,
  named: boolean,
): Promise<{ key: Buffer; passphrase?: string } | null> {
  if (!existsSync(file)) {
    if (named) throw keyUnreadableError(file)
    return null
  }
  let data: Buffer
  try {
    data = readFileSync(file)
  } catch {
    if (named) throw keyUnreadableError(file)
    return null
  }
  const plain = utils.parseKey(data)
  if (!(plain instanceof Error)) return { key: data }
  if (!/passphrase|encrypted/i.test(plain.message)) {
    if (named) throw keyUnreadableError(file)
    return null
  }
  const passphrase = await creds.passphrase?.(file)
  if (passphrase === undefined) {
    if (named) throw keyPassphraseError(file, false)
    return null
  }
  registerSecret(passphrase)
  const unlocked = utils.parseKey(data, passphrase)
  if (unlocked instanceof Error) {
    if (named) throw keyPassphraseError(file, true)
    return null
  }
  return { key: data, passphrase }
}
