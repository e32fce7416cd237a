import { z } from 'zod'
import { defineCall } from './define.js'

/** Vault keys: `ssh-password:user@host:port`, `ssh-passphrase:/path/to/key`, ... */
const vaultKey = z
  .string()
  .regex(/^(ssh-password|ssh-passphrase|zstack-password|mysql-root-password):\S{1,500}$/)

export interface VaultStatusReply {
  keychain: 'available' | 'unavailable'
  reason?: string
}

/**
 * The renderer may store and remove a secret and ask whether one exists, but never read one
 * back: there is deliberately no `vault.get`.
 */
export const vaultCalls = {
  'vault.status': defineCall<VaultStatusReply>()(() => z.object({}).strict()),
  /** `remember: false` keeps it for this session only (the choice offered when there is no keychain). */
  'vault.set': defineCall<{ storedIn: 'keychain' | 'session' }>()(() =>
    z
      .object({ key: vaultKey, secret: z.string().min(1).max(4096), remember: z.boolean().default(true) })
      .strict(),
  ),
  'vault.has': defineCall<{ present: boolean; storedIn: 'keychain' | 'session' | null }>()(() =>
    z.object({ key: vaultKey }).strict(),
  ),
  'vault.delete': defineCall<{ deleted: boolean }>()(() => z.object({ key: vaultKey }).strict()),
}
