import { createHash } from 'node:crypto'

/**
 * `SHA256:<base64 without padding>` of a public key blob in SSH wire format: exactly what
 * `ssh-keygen -lf` and OpenSSH's own prompts print, so users can compare it with the host.
 */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`
}

/** The key type (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, ...) is the blob's first string. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown'
  const len = keyBlob.readUInt32BE(0)
  if (len > keyBlob.length - 4 || len > 64) return 'unknown'
  return keyBlob.subarray(4, 4 + len).toString('ascii')
}
