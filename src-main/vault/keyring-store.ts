import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring'
import { AppError } from '../errors/app-error.js'
import { onFirstUse } from '../util/on-first-use.js'
import type { SecretStore } from './secret-store.js'

export const KEYCHAIN_SERVICE = 'zstack-dr-desk'

/** On Linux the Secret Service is required explicitly: the fallback (kernel keyring) forgets at logout. */
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } }

/**
 * The native module is imported on the first keychain access, not at start-up: a command whose
 * secrets are all given (a scripted restore) never needs it (#17). A module that cannot load is
 * a keychain that cannot be used, like any other failure here.
 */
const keyring = onFirstUse(() => import('@napi-rs/keyring'))

/**
 * The OS keychain through @napi-rs/keyring: Secret Service (GNOME Keyring, KWallet) on Linux,
 * Keychain on macOS, Credential Manager on Windows. Any failure to reach it is `vault.unavailable`.
 */
export class KeyringStore implements SecretStore {
  constructor(private readonly service = KEYCHAIN_SERVICE) {}

  async get(key: string): Promise<string | null> {
    return this.guard(async () => (await this.entry(key)).getPassword())
  }

  async set(key: string, secret: string): Promise<void> {
    await this.guard(async () => (await this.entry(key)).setPassword(secret))
  }

  async delete(key: string): Promise<boolean> {
    return this.guard(async () => (await this.entry(key)).deleteCredential())
  }

  /** Reads a key that never exists: proves the keychain answers without touching real entries. */
  async probe(): Promise<void> {
    await this.get('__probe__')
  }

  private async entry(key: string): Promise<AsyncEntry> {
    const { AsyncEntry } = await keyring()
    return new AsyncEntry(this.service, key, ENTRY_OPTIONS)
  }

  private async guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op()
    } catch (e) {
      throw vaultUnavailable(e)
    }
  }
}

export function vaultUnavailable(cause?: unknown): AppError {
  return new AppError(
    'vault.unavailable',
    {
      en: 'The system keychain cannot be used (no Secret Service such as GNOME Keyring or KWallet is running, or it is locked). You can continue without remembering passwords: they will be asked each time.',
      zh: '无法使用系统钥匙串（未运行 GNOME Keyring、KWallet 等 Secret Service，或其已锁定）。可以不保存密码继续：每次使用时都会询问。',
    },
    { reason: keychainReason(cause) },
    { cause },
  )
}

/** A short, secret-free hint of why (the library's text names the D-Bus problem, never a secret). */
function keychainReason(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause ?? '')
  if (/dbus|d-bus|autolaunch/i.test(text)) return 'no D-Bus session or Secret Service'
  if (/locked/i.test(text)) return 'keychain locked'
  return 'keychain error'
}
