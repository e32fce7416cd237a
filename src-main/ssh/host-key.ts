import { AppError } from '../errors/app-error.js'
import { sha256Fingerprint } from './fingerprint.js'
import type { KnownHosts } from './known-hosts.js'

/** What the user is asked when a host presents a key found in no known-hosts file. */
export interface HostKeyPrompt {
  /** The name recorded in known_hosts: the resolved host name, not the alias. */
  host: string
  port: number
  label: string
  keyType: string
  /** `SHA256:...` as `ssh-keygen -lf` prints it: compare it on the host's console. */
  fingerprint: string
}

export interface HostKeyPolicy {
  knownHosts: KnownHosts
  /** Scripts: accept (and remember) a key for a host that has none recorded. Never a changed key. */
  acceptNewHostKey?: boolean
  /** Asks the user; resolves true to accept and remember the key. */
  confirmHostKey?: (prompt: HostKeyPrompt) => Promise<boolean>
}

/**
 * Decides on a presented host key. Resolves when the key is trusted (recording it if newly
 * accepted), rejects with an AppError otherwise. A changed or revoked key is refused outright.
 */
export async function verifyHostKey(
  policy: HostKeyPolicy,
  where: { host: string; port: number; label: string },
  keyBlob: Buffer,
): Promise<string> {
  const verdict = policy.knownHosts.check(where.host, where.port, keyBlob)
  switch (verdict.status) {
    case 'known':
      return sha256Fingerprint(keyBlob)
    case 'changed':
      throw new AppError(
        'ssh.host_key_changed',
        {
          en: `WARNING: the host key of ${where.label} has CHANGED (now ${verdict.fingerprint}, recorded ${verdict.expected.fingerprint} in ${verdict.expected.file} line ${verdict.expected.line}). Someone may be intercepting the connection, or the host was reinstalled. The connection was refused. If the change is expected, verify the new fingerprint on the host's console, then remove the old line.`,
          zh: `警告：${where.label} 的主机密钥已改变（现为 ${verdict.fingerprint}，${verdict.expected.file} 第 ${verdict.expected.line} 行记录的是 ${verdict.expected.fingerprint}）。可能有人在截获连接，或主机已重装。连接已被拒绝。如确属预期变更，请在主机控制台核对新指纹后删除旧记录。`,
        },
        {
          host: where.label,
          fingerprint: verdict.fingerprint,
          expectedFingerprint: verdict.expected.fingerprint,
          knownHostsFile: verdict.expected.file,
          line: verdict.expected.line,
        },
      )
    case 'revoked':
      throw new AppError(
        'ssh.host_key_revoked',
        {
          en: `The host key of ${where.label} (${verdict.fingerprint}) is marked revoked in ${verdict.file}. The connection was refused.`,
          zh: `${where.label} 的主机密钥（${verdict.fingerprint}）在 ${verdict.file} 中被标记为已吊销。连接已被拒绝。`,
        },
        { host: where.label, fingerprint: verdict.fingerprint },
      )
    case 'unknown': {
      const prompt: HostKeyPrompt = { ...where, keyType: verdict.keyType, fingerprint: verdict.fingerprint }
      const accepted =
        policy.acceptNewHostKey || (policy.confirmHostKey ? await policy.confirmHostKey(prompt) : false)
      if (!accepted) throw hostKeyUnknownError(prompt)
      policy.knownHosts.add(where.host, where.port, keyBlob)
      return verdict.fingerprint
    }
  }
}

export function hostKeyUnknownError(prompt: HostKeyPrompt): AppError {
  return new AppError(
    'ssh.host_key_unknown',
    {
      en: `${prompt.label} presented a host key that is not yet trusted: ${prompt.keyType} ${prompt.fingerprint}. Compare it with \`ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub\` on the host, then accept it (CLI: --accept-new-host-key).`,
      zh: `${prompt.label} 提供的主机密钥尚未被信任：${prompt.keyType} ${prompt.fingerprint}。请在主机上用 \`ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub\` 核对后接受（命令行：--accept-new-host-key）。`,
    },
    { host: prompt.label, keyType: prompt.keyType, fingerprint: prompt.fingerprint },
  )
}
