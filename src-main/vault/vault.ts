import { registerSecret } from '../errors/redact.js'
import { KeyringStore } from './keyring-store.js'
import { MemoryStore, type SecretStore } from './secret-store.js'

export type SecretLocation = 'keychain' | 'session'

export interface VaultStatus {
  keychain: 'available' | 'unavailable'
  /** Why not, without any secret (e.g. "no D-Bus session or Secret Service"). */
  reason?: string
}

/**
 * The app's secrets: a session layer in memory (secrets the user chose not to remember, or
 * everything when there is no keychain) over the OS keychain. Every secret read or written is
 * registered for redaction, so it cannot leak into a log or an error text afterwards.
 */
export class Vault {
  private readonly session = new MemoryStore()

  constructor(private readonly keychain: SecretStore & { probe?(): Promise<void> } = new KeyringStore()) {}

  async status(): Promise<VaultStatus> {
    try {
      await (this.keychain.probe?.() ?? this.keychain.get('__probe__'))
      return { keychain: 'available' }
    } catch (e) {
      const reason = (e as { details?: { reason?: string } }).details?.reason ?? 'keychain error'
      return { keychain: 'unavailable', reason }
    }
  }

  /**
   * Stores a secret. `remember: true` puts it in the keychain and fails with `vault.unavailable`
   * when there is none: the caller then offers to continue with `remember: false` (this session only).
   */
  async set(key: string, secret: string, options: { remember: boolean }): Promise<SecretLocation> {
    registerSecret(secret)
    if (options.remember) {
      await this.keychain.set(key, secret)
      await this.session.delete(key)
      return 'keychain'
    }
    await this.session.set(key, secret)
    return 'session'
  }

  /** The session copy first, then the keychain; a keychain that cannot be reached counts as empty. */
  async get(key: string): Promise<string | null> {
    const found = (await this.session.get(key)) ?? (await this.keychain.get(key).catch(() => null))
    registerSecret(found)
    return found
  }

  async has(key: string): Promise<SecretLocation | null> {
    if ((await this.session.get(key)) !== null) return 'session'
    return (await this.keychain.get(key).catch(() => null)) !== null ? 'keychain' : null
  }

  async delete(key: string): Promise<boolean> {
    const fromSession = await this.session.delete(key)
    try {
      return (await this.keychain.delete(key)) || fromSession
    } catch (e) {
      // No keychain: deleting the session copy is all there was to do.
      if (fromSession) return true
      throw e
    }
  }
}
