/**
 * Where secrets live: the OS keychain, or (when the user chose to go on without one) this
 * process's memory. Keys are plain strings naming what the secret opens (see `keys.ts`).
 */
export interface SecretStore {
  get(key: string): Promise<string | null>
  set(key: string, secret: string): Promise<void>
  /** Resolves true if something was deleted. */
  delete(key: string): Promise<boolean>
}

/** Secrets for this session only: forgotten when the app or CLI exits ("ask each time"). */
export class MemoryStore implements SecretStore {
  private readonly items = new Map<string, string>()

  async get(key: string): Promise<string | null> {
    return this.items.get(key) ?? null
  }

  async set(key: string, secret: string): Promise<void> {
    this.items.set(key, secret)
  }

  async delete(key: string): Promise<boolean> {
    return this.items.delete(key)
  }
}
