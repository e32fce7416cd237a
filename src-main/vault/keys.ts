/**
 * Names of secrets in the vault. Per management-node connection: its account password. Per host: the SSH password of `user@host:port` (the resolved
 * address, so an alias and its HostName share one entry), and the MySQL root password of a management node there; per key file: its passphrase.
 */
export function sshPasswordKey(label: string): string {
  return `ssh-password:${label}`
}

export function sshPassphraseKey(identityFile: string): string {
  return `ssh-passphrase:${identityFile}`
}

export function zstackPasswordKey(connectionId: string): string {
  return `zstack/connection/${connectionId}/password`
}

/** The MySQL root password of a management node (`user@host:port` of its SSH target). */
export function mysqlRootPasswordKey(label: string): string {
  return `mysql-root-password:${label}`
}
