/**
 * Where connection passwords live. The keychain-backed store (src-main/vault/) plugs in here;
 * until then MemorySecretStore keeps them in this process only, never on disk.
 */
export interface SecretStore {
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<void>
  delete(key: string): Promise<void>
}

export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>()

  async get(key: string): Promise<string | null> {
    return this.values.get(key) ?? null
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value)
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key)
  }
}

/** The key a connection's password is stored under. */
export function passwordKey(connectionId: string): string {
  return `zstack/connection/${connectionId}/password`
}
