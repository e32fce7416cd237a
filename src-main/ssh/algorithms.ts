import type { Algorithms, CipherAlgorithm, KexAlgorithm, MacAlgorithm, ServerHostKeyAlgorithm } from 'ssh2'

/**
 * The algorithms every connection offers, spelled out rather than left to ssh2's defaults: no
 * SHA-1 anywhere (no `ssh-rsa` host-key signatures, no `hmac-sha1`, no SHA-1 key exchange) and no
 * CBC ciphers. Every OpenSSH since 7.4 (and so every ZStack host) supports the ones kept.
 */
const KEX: KexAlgorithm[] = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
]
const HOST_KEY: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
]
const CIPHER: CipherAlgorithm[] = [
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-ctr',
  'aes256-ctr',
]
const MAC: MacAlgorithm[] = [
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
]

/** The host-key algorithms that sign with a key of the given known_hosts type. */
function signaturesFor(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256'] : [keyType]
}

/**
 * The offer for one host. Key types already recorded for it go first (as OpenSSH does), so a host
 * with several keys presents one we know instead of looking "changed".
 */
export function sshAlgorithms(recordedKeyTypes: readonly string[]): Algorithms {
  const preferred = recordedKeyTypes
    .flatMap(signaturesFor)
    .filter((a): a is ServerHostKeyAlgorithm => (HOST_KEY as string[]).includes(a))
  const serverHostKey = [...new Set([...preferred, ...HOST_KEY])]
  return { kex: KEX, serverHostKey, cipher: CIPHER, hmac: MAC, compress: ['none'] }
}
