/** The vault service: secrets in the OS keychain (or this session's memory), never anywhere else. */
export { KEYCHAIN_SERVICE, KeyringStore, vaultUnavailable } from './keyring-store.js'
export { sshPassphraseKey, sshPasswordKey } from './keys.js'
export { MemoryStore, type SecretStore } from './secret-store.js'
export { type SplitSshUrl, splitSshUrl } from './ssh-url.js'
export { type SecretLocation, Vault, type VaultStatus } from './vault.js'
