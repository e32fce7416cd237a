import { z } from 'zod'
import { defineCall, defineEvent } from './define.js'

/**
 * One SSH host as callers name it. `host` may be an alias from `~/.ssh/config`, `user@host:port`,
 * or an `ssh://user:password@host:port/path` URL (its password goes to the vault for this session,
 * and the URL is only ever shown redacted). No other secret travels in a request.
 */
export const sshHostSchema = z
  .object({
    host: z.string().trim().min(1).max(500),
    port: z.number().int().min(1).max(65535).optional(),
    user: z.string().min(1).max(100).optional(),
    identityFile: z.string().min(1).max(4096).optional(),
    proxyJump: z.string().min(1).max(1000).optional(),
    /** Use ssh-agent ($SSH_AUTH_SOCK); default true. */
    agent: z.boolean().optional(),
  })
  .strict()

/** How host keys and the client config are handled for the hosts of one request. */
export const sshSessionFields = {
  /** Trust (and remember) a host key seen for the first time. A changed key is always refused. */
  acceptNewHostKey: z.boolean().default(false),
  /** Known-hosts file to read and record accepted keys in (default: the app's own file). */
  knownHostsFile: z.string().min(1).max(4096).optional(),
  /** OpenSSH client config (default `~/.ssh/config`); null reads none. */
  sshConfigFile: z.string().min(1).max(4096).nullable().optional(),
}

export type SshHostRequest = z.input<typeof sshHostSchema>

export interface HostKeyPromptEvent {
  promptId: string
  /** `user@host:port` of the host asking for trust. */
  label: string
  host: string
  port: number
  keyType: string
  /** `SHA256:...` exactly as `ssh-keygen -lf` prints it on the host. */
  fingerprint: string
  /** When the prompt is withdrawn (refused) if nobody answers. */
  expiresAt: string
}

export interface SshTestReply {
  label: string
  hostKeyFingerprint: string
}

export const sshCalls = {
  /** Connects once (prompting for the host key if needed) and reports who answered. */
  'ssh.test': defineCall<SshTestReply>()(() =>
    z.object({ target: sshHostSchema, ...sshSessionFields }).strict(),
  ),
  /** The user's answer to an `ssh.hostKeyPrompt` event. */
  'ssh.answerHostKey': defineCall<{ answered: boolean }>()(() =>
    z.object({ promptId: z.string().regex(/^[0-9a-f]{32}$/), accept: z.boolean() }).strict(),
  ),
}

export const sshEvents = {
  'ssh.hostKeyPrompt': defineEvent<HostKeyPromptEvent>(),
}
