import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KeyringStore, Vault } from '../../../src-main/vault/index.js'

// The keyring library keeps its D-Bus connection for the life of the process, so "no keychain"
// gets a file (a process) of its own: a session bus address where nothing listens, as on a
// headless server without GNOME Keyring or KWallet.
const dir = mkdtempSync(join(tmpdir(), 'zsdr-nokeychain-'))
let saved: string | undefined
beforeAll(() => {
  saved = process.env.DBUS_SESSION_BUS_ADDRESS
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-such-bus')}`
})
afterAll(() => {
  if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS
  else process.env.DBUS_SESSION_BUS_ADDRESS = saved
  rmSync(dir, { recursive: true, force: true })
})

describe('vault without a keychain', () => {
  it('reports vault.unavailable clearly and works for the session when the user chooses so', async () => {
    const vault = new Vault(new KeyringStore('zsdr-test-service'))
    expect(await vault.status()).toMatchObject({ keychain: 'unavailable' })
    const err = await vault
      .set('ssh-password:x@y:22', 'nope-pw-3', { remember: true })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'vault.unavailable' })
    expect((err as Error).message).toMatch(/continue without remembering/)
    expect(JSON.stringify((err as { toEnvelope(): unknown }).toEnvelope())).not.toContain('nope-pw-3')
    expect(await vault.set('ssh-password:x@y:22', 'nope-pw-3', { remember: false })).toBe('session')
    expect(await vault.get('ssh-password:x@y:22')).toBe('nope-pw-3')
    expect(await vault.delete('ssh-password:x@y:22')).toBe(true)
  })
})
