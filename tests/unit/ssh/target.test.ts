import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseHostSpec, resolveTarget, targetLabel } from '../../../src-main/ssh/index.js'

const dir = mkdtempSync(join(tmpdir(), 'zsdr-target-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('parseHostSpec', () => {
  it('reads user@host:port, bare hosts, IPv6 in brackets and ssh:// URLs without a password', () => {
    expect(parseHostSpec('root@10.0.0.5:2222')).toEqual({ host: '10.0.0.5', port: 2222, user: 'root' })
    expect(parseHostSpec('imagestore')).toEqual({ host: 'imagestore' })
    expect(parseHostSpec('admin@[fe80::1]:22')).toEqual({ host: 'fe80::1', port: 22, user: 'admin' })
    expect(parseHostSpec('ssh://root@h.example:2200/var/lib')).toEqual({
      host: 'h.example',
      port: 2200,
      user: 'root',
    })
  })

  it('refuses malformed hosts, bad ports and URLs carrying a password', () => {
    for (const bad of ['', 'a b', 'h:99999', 'h:0', 'ssh://root:pw@h/x', 'u@', '@h']) {
      expect(() => parseHostSpec(bad), bad).toThrow(expect.objectContaining({ code: 'ssh.bad_target' }))
    }
  })
})

describe('resolveTarget with ~/.ssh/config', () => {
  const home = join(dir, 'home')
  const config = join(dir, 'config')
  writeFileSync(
    config,
    [
      'Host store',
      '  HostName 192.168.1.10',
      '  Port 2200',
      '  User zstack',
      '  IdentityFile ~/.ssh/store_key',
      '  ProxyJump bastion',
      'Host bastion',
      '  HostName 203.0.113.9',
      'Host *',
      '  User ops',
    ].join('\n'),
  )

  it('applies HostName, Port, User, IdentityFile and ProxyJump of an alias', () => {
    const t = resolveTarget({ host: 'store' }, { configFile: config, homeDir: home })
    expect(t).toMatchObject({
      alias: 'store',
      hostname: '192.168.1.10',
      port: 2200,
      user: 'zstack',
      identityFiles: [join(home, '.ssh', 'store_key')],
      identitiesNamed: true,
      proxyJump: 'bastion',
    })
    expect(targetLabel(t)).toBe('zstack@192.168.1.10:2200')
  })

  it('lets the target win over the config, and falls back to default identities and Host *', () => {
    const t = resolveTarget(
      { host: 'store', port: 22, user: 'root', proxyJump: 'none' },
      { configFile: config, homeDir: home },
    )
    expect(t).toMatchObject({ port: 22, user: 'root', proxyJump: null })
    const other = resolveTarget({ host: 'other.example' }, { configFile: config, homeDir: home })
    expect(other).toMatchObject({ hostname: 'other.example', port: 22, user: 'ops', identitiesNamed: false })
    expect(other.identityFiles).toEqual(
      ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => join(home, '.ssh', n)),
    )
    expect(resolveTarget({ host: 'x' }, { configFile: null, homeDir: home }).proxyJump).toBeNull()
  })
})
