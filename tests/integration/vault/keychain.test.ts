import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redact } from '../../../src-main/errors/redact.js'
import { KeyringStore, splitSshUrl, Vault } from '../../../src-main/vault/index.js'
import { startKeyring, type TestKeyring } from '../../harness/keyring.js'

let keyring: TestKeyring
beforeAll(async () => {
  keyring = await startKeyring()
})
afterAll(async () => {
  await keyring?.stop()
})

describe('vault on a real GNOME Keyring', () => {
  it('sets, gets and deletes a secret in the keychain', async () => {
    const store = new KeyringStore('zsdr-test-service')
    expect(await store.get('ssh-password:u@h:22')).toBeNull()
    await store.set('ssh-password:u@h:22', 's3cret-value')
    expect(await store.get('ssh-password:u@h:22')).toBe('s3cret-value')
    // A second store object (another process would do the same) reads it back from the keychain.
    expect(await new KeyringStore('zsdr-test-service').get('ssh-password:u@h:22')).toBe('s3cret-value')
    expect(await store.delete('ssh-password:u@h:22')).toBe(true)
    expect(await store.get('ssh-password:u@h:22')).toBeNull()
    expect(await store.delete('ssh-password:u@h:22')).toBe(false)
  })

  it('remembers in the keychain or for this session only, and registers secrets for redaction', async () => {
    const vault = new Vault(new KeyringStore('zsdr-test-service'))
    expect(await vault.status()).toEqual({ keychain: 'available' })
    expect(await vault.set('ssh-password:a@b:22', 'remembered-pw-1', { remember: true })).toBe('keychain')
    expect(await vault.set('ssh-password:c@d:22', 'session-pw-2', { remember: false })).toBe('session')
    expect(await vault.has('ssh-password:a@b:22')).toBe('keychain')
    expect(await vault.has('ssh-password:c@d:22')).toBe('session')
    expect(await new Vault(new KeyringStore('zsdr-test-service')).has('ssh-password:c@d:22')).toBeNull()
    expect(redact('pw remembered-pw-1 and session-pw-2')).toBe('pw *** and ***')
    expect(await vault.delete('ssh-password:a@b:22')).toBe(true)
    expect(await vault.get('ssh-password:a@b:22')).toBeNull()
  })

  it('splits ssh:// URLs: the password goes out, the URL is shown redacted', () => {
    const s = splitSshUrl('ssh://root:p%40ss-w0rd@10.0.0.5:2222/var/lib/zstack')
    expect(s).toMatchObject({
      user: 'root',
      host: '10.0.0.5',
      port: 2222,
      path: '/var/lib/zstack',
      password: 'p@ss-w0rd',
    })
    expect(s.redacted).toBe('ssh://root@10.0.0.5:2222/var/lib/zstack')
    expect(redact('copying with p@ss-w0rd')).toBe('copying with ***')
    expect(() => splitSshUrl('http://x')).toThrow(expect.objectContaining({ code: 'vault.bad_ssh_url' }))
  })
})

describe('vault through the API', () => {
  it('lets a caller set and check a secret but never read it back, and keeps it out of SQLite', async () => {
    const { mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { createServices } = await import('../../../src-main/services.js')
    const { createLogger } = await import('../../../src-main/log/logger.js')
    const dir = mkdtempSync(join(tmpdir(), 'zsdr-vault-api-'))
    const services = createServices({
      dataDir: dir,
      vault: new Vault(new KeyringStore('zsdr-test-service')),
      log: createLogger({ level: 'silent' }),
    })
    const call = (name: string, req: unknown) => services.router.dispatch(name, req, { transport: 'ipc' })
    try {
      const key = 'ssh-password:root@10.1.1.1:22'
      expect(await call('vault.set', { key, secret: 'api-secret-Xy9' })).toEqual({
        ok: true,
        value: { storedIn: 'keychain' },
      })
      expect(await call('vault.has', { key })).toEqual({
        ok: true,
        value: { present: true, storedIn: 'keychain' },
      })
      expect(await call('vault.get', { key })).toMatchObject({
        ok: false,
        error: { code: 'api.unknown_call' },
      })
      expect(await call('vault.set', { key: 'anything', secret: 'x' })).toMatchObject({
        ok: false,
        error: { code: 'api.invalid_request' },
      })
      services.db.pragma('wal_checkpoint(TRUNCATE)')
      for (const f of readdirSync(dir).filter((n) => n.startsWith('zsdr.sqlite'))) {
        expect(readFileSync(join(dir, f)).includes('api-secret-Xy9')).toBe(false)
      }
      expect(await call('vault.delete', { key })).toEqual({ ok: true, value: { deleted: true } })
      expect(await call('vault.has', { key })).toEqual({
        ok: true,
        value: { present: false, storedIn: null },
      })
    } finally {
      await services.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
