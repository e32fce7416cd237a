import { createHmac } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { keyTypeOf, sha256Fingerprint } from './fingerprint.js'

/** What the known-hosts files say about a key a server presented. */
export type HostKeyVerdict =
  | { status: 'known'; file: string }
  | { status: 'unknown'; keyType: string; fingerprint: string }
  | {
      status: 'changed'
      keyType: string
      fingerprint: string
      /** Where the key we expected is recorded, so the user can check and fix it. */
      expected: { file: string; line: number; fingerprint: string }
    }
  | { status: 'revoked'; keyType: string; fingerprint: string; file: string }

interface Entry {
  file: string
  line: number
  marker: '' | '@revoked' | '@cert-authority'
  hosts: string
  keyType: string
  key: Buffer
}

/**
 * OpenSSH known_hosts files: the app's own file (written when the user accepts a key) plus
 * read-only files such as `~/.ssh/known_hosts`. Plain and hashed (`|1|salt|hash`) host fields,
 * `[host]:port` for non-standard ports, wildcards and `!` negation are understood. Once any key
 * is recorded for a host, a key not among its recorded keys is reported as changed and never
 * accepted, whatever its type: a host "reinstalled" with a key of another type is exactly what an
 * interceptor would present. (The connection asks for the recorded types first, like OpenSSH.)
 */
export class KnownHosts {
  constructor(
    /** Where accepted keys are appended (the app's file in its data dir, or `--known-hosts`). */
    readonly appFile: string,
    /** Consulted but never written (the user's `~/.ssh/known_hosts`). */
    readonly readOnlyFiles: readonly string[] = [],
  ) {}

  check(host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
    const name = hostField(host, port)
    const keyType = keyTypeOf(keyBlob)
    const fingerprint = sha256Fingerprint(keyBlob)
    const entries = this.entries().filter((e) => e.marker !== '@cert-authority' && matchesHost(e.hosts, name))
    const revoked = entries.find((e) => e.marker === '@revoked' && e.key.equals(keyBlob))
    if (revoked) return { status: 'revoked', keyType, fingerprint, file: revoked.file }
    const same = entries.find((e) => e.marker === '' && e.key.equals(keyBlob))
    if (same) return { status: 'known', file: same.file }
    const other =
      entries.find((e) => e.marker === '' && e.keyType === keyType) ?? entries.find((e) => e.marker === '')
    if (other) {
      return {
        status: 'changed',
        keyType,
        fingerprint,
        expected: { file: other.file, line: other.line, fingerprint: sha256Fingerprint(other.key) },
      }
    }
    return { status: 'unknown', keyType, fingerprint }
  }

  /** The key types recorded for a host (to ask the server for one of those first). */
  recordedKeyTypes(host: string, port: number): string[] {
    const name = hostField(host, port)
    const types = this.entries()
      .filter((e) => e.marker === '' && matchesHost(e.hosts, name))
      .map((e) => e.keyType)
    return [...new Set(types)]
  }

  /** Records an accepted key in the app's file (never in the user's own files). */
  add(host: string, port: number, keyBlob: Buffer): void {
    mkdirSync(dirname(this.appFile), { recursive: true })
    const line = `${hostField(host, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`
    appendFileSync(this.appFile, line, { mode: 0o600 })
  }

  private entries(): Entry[] {
    return [this.appFile, ...this.readOnlyFiles].flatMap(parseFile)
  }
}

/** How OpenSSH names a host in known_hosts: the bare name on port 22, `[name]:port` otherwise. */
export function hostField(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

function parseFile(file: string): Entry[] {
  if (!existsSync(file)) return []
  const out: Entry[] = []
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const entry = parseLine(raw.trim(), file, i + 1)
      if (entry) out.push(entry)
    })
  return out
}

function parseLine(text: string, file: string, line: number): Entry | null {
  if (!text || text.startsWith('#')) return null
  const fields = text.split(/\s+/)
  let marker: Entry['marker'] = ''
  if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as Entry['marker']
  const [hosts, keyType, keyB64] = fields
  if (!hosts || !keyType || !keyB64) return null
  const key = Buffer.from(keyB64, 'base64')
  if (key.length === 0) return null
  return { file, line, marker, hosts, keyType, key }
}

function matchesHost(hostsField: string, name: string): boolean {
  if (hostsField.startsWith('|1|')) return matchesHashed(hostsField, name)
  let matched = false
  for (const pattern of hostsField.split(',')) {
    const negated = pattern.startsWith('!')
    if (globMatch(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false
      matched = true
    }
  }
  return matched
}

function matchesHashed(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|')
  if (!salt || !hash) return false
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64')
  return digest === hash
}

function globMatch(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase()
  const re = pattern
    .replace(/[.+^${}()|\\[\]]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${re}$`, 'i').test(name)
}
