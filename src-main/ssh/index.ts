/**
 * The SSH service: connections that verify host keys, honour `~/.ssh/config` and authenticate
 * with agent, keys or password. Recovery code uses the `RemoteHost` interface; transfers use
 * `SshHost.sftp()`.
 */
export { type ConnectOptions, connectHost, type HostCredentials } from './connect.js'
export { keyTypeOf, sha256Fingerprint } from './fingerprint.js'
export { type HostKeyPolicy, type HostKeyPrompt, hostKeyUnknownError } from './host-key.js'
export { type HostKeyVerdict, hostField, KnownHosts } from './known-hosts.js'
export { LocalHost } from './local-host.js'
export type { RemoteHost, RemoteProcess, RunResult } from './remote-host.js'
export { type ConfigSources, resolveTarget } from './ssh-config.js'
export { SshHost } from './ssh-host.js'
export { parseHostSpec, type ResolvedTarget, type SshTarget, targetLabel } from './target.js'
