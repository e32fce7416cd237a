import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ConnectOptions,
  connectHost,
  type HostKeyPrompt,
  KnownHosts,
} from '../../../src-main/ssh/index.js'
import { generateKeyPair, type SshAgent, type Sshd, startSshAgent, startSshd } from '../../harness/sshd.js'

let sshd: Sshd
let jump: Sshd
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zsdr-ssh-test-'))
  ;[sshd, jump] = await Promise.all([startSshd(), startSshd()])
})
afterAll(async () => {
  await Promise.all([sshd?.stop(), jump?.stop()])
  rmSync(dir, { recursive: true, force: true })
})

/** Options isolated from the real ~/.ssh: own known-hosts file, no config, no agent. */
function options(
  extra: Partial<ConnectOptions> = {},
  knownHostsFile = join(dir, `kh-${Math.random()}`),
): ConnectOptions {
  return {
    knownHosts: new KnownHosts(knownHostsFile),
    configFile: null,
    homeDir: join(dir, 'home'),
    acceptNewHostKey: true,
    ...extra,
  }
}

describe('SSH authentication against a real sshd', () => {
  it('logs in with a password and runs a command', async () => {
    const host = await connectHost(
      { host: '127.0.0.1', port: sshd.port, user: sshd.user, agent: false },
      options({ credentials: () => ({ password: sshd.password }) }),
    )
    try {
      const r = await host.run('whoami; echo err >&2; exit 3')
      expect(r).toEqual({ code: 3, stdout: `${sshd.user}\n`, stderr: 'err\n' })
      expect(host.label).toBe(`${sshd.user}@127.0.0.1:${sshd.port}`)
      expect(host.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint)
    } finally {
      await host.close()
    }
    expect(host.closed).toBe(true)
  })

  it('refuses a wrong password with ssh.auth_failed', async () => {
    await expect(
      connectHost(
        { host: '127.0.0.1', port: sshd.port, user: sshd.user, agent: false },
        options({ credentials: () => ({ password: 'wrong-password' }) }),
      ),
    ).rejects.toMatchObject({ code: 'ssh.auth_failed' })
  })

  it('logs in with an OpenSSH key, a passphrase-protected key and a PEM key', async () => {
    const plain = generateKeyPair(dir, 'plain')
    const locked = generateKeyPair(dir, 'locked', { passphrase: 'key-pass-123' })
    const pem = generateKeyPair(dir, 'pem', { format: 'pem', passphrase: 'pem-pass-456' })
    for (const k of [plain, locked, pem]) sshd.authorize(k.publicKeyText)
    const passphrases: Record<string, string> = {
      [locked.privateKey]: 'key-pass-123',
      [pem.privateKey]: 'pem-pass-456',
    }
    for (const k of [plain, locked, pem]) {
      const host = await connectHost(
        { host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: k.privateKey, agent: false },
        options({ credentials: () => ({ passphrase: (f) => passphrases[f] }) }),
      )
      expect((await host.run('echo ok')).stdout).toBe('ok\n')
      await host.close()
    }
    await expect(
      connectHost(
        {
          host: '127.0.0.1',
          port: sshd.port,
          user: sshd.user,
          identityFile: locked.privateKey,
          agent: false,
        },
        options(),
      ),
    ).rejects.toMatchObject({ code: 'ssh.key_passphrase_required' })
    await expect(
      connectHost(
        {
          host: '127.0.0.1',
          port: sshd.port,
          user: sshd.user,
          identityFile: locked.privateKey,
          agent: false,
        },
        options({ credentials: () => ({ passphrase: () => 'not-it' }) }),
      ),
    ).rejects.toMatchObject({ code: 'ssh.key_passphrase_wrong' })
  })

  it('logs in through ssh-agent', async () => {
    const key = generateKeyPair(dir, 'agent-key')
    sshd.authorize(key.publicKeyText)
    let agent: SshAgent | undefined
    try {
      agent = await startSshAgent(dir)
      agent.add(key.privateKey)
      const host = await connectHost(
        { host: '127.0.0.1', port: sshd.port, user: sshd.user, agent: agent.socket },
        options(),
      )
      expect((await host.run('echo agent')).stdout).toBe('agent\n')
      await host.close()
    } finally {
      await agent?.stop()
    }
  })

  it('honours ~/.ssh/config aliases and ProxyJump through a second sshd', async () => {
    const key = generateKeyPair(dir, 'jump-key')
    sshd.authorize(key.publicKeyText)
    jump.authorize(key.publicKeyText)
    const config = join(dir, 'ssh_config')
    writeFileSync(
      config,
      [
        'Host bastion',
        '  HostName 127.0.0.1',
        `  Port ${jump.port}`,
        `  User ${jump.user}`,
        `  IdentityFile ${key.privateKey}`,
        'Host imagestore',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${key.privateKey}`,
        '  ProxyJump bastion',
      ].join('\n'),
    )
    const prompts: HostKeyPrompt[] = []
    const host = await connectHost(
      { host: 'imagestore', agent: false },
      options({
        configFile: config,
        acceptNewHostKey: false,
        confirmHostKey: async (p) => {
          prompts.push(p)
          return true
        },
      }),
    )
    // The command runs on the target: its sshd sees the connection come from the jump host over loopback.
    expect((await host.run('echo $SSH_CONNECTION')).stdout.trim().split(' ')[2]).toBe('127.0.0.1')
    expect((await host.run('echo $SSH_CONNECTION')).stdout.trim().split(' ')[3]).toBe(String(sshd.port))
    await host.close()
    expect(prompts.map((p) => p.fingerprint)).toEqual([jump.hostKeyFingerprint, sshd.hostKeyFingerprint])
  })
})

/** A prompt answerer that records what it was asked. */
function answer(accept: boolean, log: HostKeyPrompt[]) {
  return async (p: HostKeyPrompt) => {
    log.push(p)
    return accept
  }
}

describe('host-key trust', () => {
  it('prompts for an unknown key, remembers an accepted one and refuses a changed one', async () => {
    const file = join(dir, 'known_hosts_trust')
    const target = { host: '127.0.0.1', port: sshd.port, user: sshd.user, agent: false as const }
    const credentials = () => ({ password: sshd.password })

    const refused: HostKeyPrompt[] = []
    await expect(
      connectHost(
        target,
        options({ credentials, acceptNewHostKey: false, confirmHostKey: answer(false, refused) }, file),
      ),
    ).rejects.toMatchObject({
      code: 'ssh.host_key_unknown',
      details: { fingerprint: sshd.hostKeyFingerprint },
    })
    expect(refused).toHaveLength(1)
    expect(refused[0]).toMatchObject({ keyType: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint })

    const accepted = await connectHost(
      target,
      options({ credentials, acceptNewHostKey: false, confirmHostKey: async () => true }, file),
    )
    await accepted.close()
    expect(readFileSync(file, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519 `)

    const asked: HostKeyPrompt[] = []
    const again = await connectHost(
      target,
      options({ credentials, acceptNewHostKey: false, confirmHostKey: answer(true, asked) }, file),
    )
    await again.close()
    expect(asked).toHaveLength(0)

    const old = sshd.hostKeyFingerprint
    await sshd.restartWithNewHostKey()
    expect(sshd.hostKeyFingerprint).not.toBe(old)
    const err = await connectHost(
      target,
      options({ credentials, acceptNewHostKey: true, confirmHostKey: answer(true, asked) }, file),
    ).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'ssh.host_key_changed',
      details: { fingerprint: sshd.hostKeyFingerprint, expectedFingerprint: old },
    })
    expect((err as Error).message).toMatch(/CHANGED/)
    expect(asked).toHaveLength(0)
    // The changed key was not written anywhere.
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1)
  })
})

describe('host keys of several types and the algorithms offered', () => {
  const credentials = () => ({ password: sshd.password })
  const targetOf = (s: Sshd) => ({ host: '127.0.0.1', port: s.port, user: s.user, agent: false as const })

  it('refuses a host reinstalled with a key of another type as changed', async () => {
    const host = await startSshd()
    try {
      const file = join(dir, 'known_hosts_type_change')
      await (await connectHost(targetOf(host), options({ credentials }, file))).close()
      const old = host.hostKeyFingerprint
      await host.restartWithNewHostKey('rsa')
      const err = await connectHost(
        targetOf(host),
        options({ credentials, acceptNewHostKey: true }, file),
      ).catch((e: unknown) => e)
      expect(err).toMatchObject({
        code: 'ssh.host_key_changed',
        details: { fingerprint: host.hostKeyFingerprint, expectedFingerprint: old },
      })
      expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1)
    } finally {
      await host.stop()
    }
  })

  it('asks a host with several keys for the type already recorded, so it is known, not changed', async () => {
    const extra = join(dir, 'extra_rsa_host_key')
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-N', '', '-f', extra])
    const host = await startSshd({ extraConfig: `HostKey ${extra}` })
    try {
      const file = join(dir, 'known_hosts_rsa_only')
      const [type, key] = readFileSync(`${extra}.pub`, 'utf8').split(' ')
      writeFileSync(file, `[127.0.0.1]:${host.port} ${type} ${key}\n`)
      const prompts: HostKeyPrompt[] = []
      const session = await connectHost(
        targetOf(host),
        options({ credentials, acceptNewHostKey: false, confirmHostKey: answer(false, prompts) }, file),
      )
      await session.close()
      expect(prompts).toHaveLength(0)
    } finally {
      await host.stop()
    }
  })

  it('connects with rsa-sha2-512, rsa-sha2-256 and ecdsa host keys, and never with SHA-1 or CBC', async () => {
    const setups: { config: string; type?: 'rsa' | 'ecdsa'; ok: boolean }[] = [
      { type: 'rsa', config: 'HostKeyAlgorithms rsa-sha2-512', ok: true },
      { type: 'rsa', config: 'HostKeyAlgorithms rsa-sha2-256', ok: true },
      { type: 'ecdsa', config: '', ok: true },
      { type: 'rsa', config: 'HostKeyAlgorithms ssh-rsa', ok: false },
      { config: 'MACs hmac-sha1\nCiphers aes128-ctr', ok: false },
      { config: 'Ciphers aes128-cbc,aes256-cbc', ok: false },
      { config: 'KexAlgorithms diffie-hellman-group14-sha1', ok: false },
    ]
    for (const setup of setups) {
      const host = await startSshd({ extraConfig: setup.config, hostKeyType: setup.type })
      try {
        const attempt = connectHost(targetOf(host), options({ credentials }))
        if (setup.ok) await (await attempt).close()
        else
          await expect(attempt, setup.config).rejects.toMatchObject({
            code: 'ssh.connection_failed',
            details: { reason: 'handshake' },
          })
      } finally {
        await host.stop()
      }
    }
  })
})
