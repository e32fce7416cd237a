import { createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { hostField, KnownHosts, keyTypeOf, sha256Fingerprint } from '../../../src-main/ssh/index.js'

const dir = mkdtempSync(join(tmpdir(), 'zsdr-kh-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A public key blob in SSH wire format: string type, then key material. */
function blob(type: string, material = randomBytes(32)): Buffer {
  const t = Buffer.from(type)
  const len = (n: number) => {
    const b = Buffer.alloc(4)
    b.writeUInt32BE(n)
    return b
  }
  return Buffer.concat([len(t.length), t, len(material.length), material])
}
const line = (hosts: string, key: Buffer) => `${hosts} ${keyTypeOf(key)} ${key.toString('base64')}`

describe('fingerprints', () => {
  it('match ssh-keygen -lf output form and read the key type', () => {
    const k = blob('ssh-ed25519', Buffer.alloc(32, 1))
    expect(keyTypeOf(k)).toBe('ssh-ed25519')
    expect(sha256Fingerprint(k)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
    expect(keyTypeOf(Buffer.from([0, 0]))).toBe('unknown')
  })
})

describe('KnownHosts', () => {
  const a = blob('ssh-ed25519')
  const b = blob('ssh-ed25519')
  const rsa = blob('ssh-rsa')

  it('finds plain, bracketed-port, wildcard and hashed entries; user files are read only', () => {
    const user = join(dir, 'user_known_hosts')
    const salt = randomBytes(20)
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[db.example]:2222').digest('base64')}`
    writeFileSync(
      user,
      [
        '# comment',
        line('plain.example,10.0.0.1', a),
        line('[ported.example]:2200', a),
        line('*.dc1.example,!bad.dc1.example', a),
        line(hashed, a),
        '@cert-authority *.example ssh-ed25519 AAAA',
        'garbage',
      ].join('\n'),
    )
    const kh = new KnownHosts(join(dir, 'app_kh'), [user])
    expect(kh.check('plain.example', 22, a).status).toBe('known')
    expect(kh.check('10.0.0.1', 22, a).status).toBe('known')
    expect(kh.check('ported.example', 2200, a).status).toBe('known')
    expect(kh.check('ported.example', 22, a).status).toBe('unknown')
    expect(kh.check('x.dc1.example', 22, a).status).toBe('known')
    expect(kh.check('bad.dc1.example', 22, a).status).toBe('unknown')
    expect(kh.check('db.example', 2222, a).status).toBe('known')
    expect(kh.check('db.example', 22, a).status).toBe('unknown')
    const before = readFileSync(user, 'utf8')
    kh.add('new.example', 22, a)
    expect(readFileSync(user, 'utf8')).toBe(before)
    expect(readFileSync(join(dir, 'app_kh'), 'utf8')).toBe(`${line('new.example', a)}\n`)
    expect(kh.check('new.example', 22, a).status).toBe('known')
  })

  it('reports a different key of the same type as changed, with where the old one is', () => {
    const file = join(dir, 'changed_kh')
    writeFileSync(file, `${line('h.example', rsa)}\n${line('h.example', a)}\n`)
    const v = new KnownHosts(file).check('h.example', 22, b)
    expect(v).toMatchObject({
      status: 'changed',
      fingerprint: sha256Fingerprint(b),
      expected: { file, line: 2, fingerprint: sha256Fingerprint(a) },
    })
  })

  it('reports a key of another type as changed once any key is recorded, and lists the recorded types', () => {
    const file = join(dir, 'type_change_kh')
    writeFileSync(file, `${line('r.example', rsa)}\n`)
    const kh = new KnownHosts(file)
    expect(kh.check('r.example', 22, a)).toMatchObject({
      status: 'changed',
      keyType: 'ssh-ed25519',
      expected: { file, line: 1, fingerprint: sha256Fingerprint(rsa) },
    })
    expect(kh.recordedKeyTypes('r.example', 22)).toEqual(['ssh-rsa'])
    expect(kh.recordedKeyTypes('other.example', 22)).toEqual([])
    expect(kh.check('other.example', 22, a).status).toBe('unknown')
  })

  it('refuses a revoked key', () => {
    const file = join(dir, 'revoked_kh')
    writeFileSync(file, `@revoked ${line('*', a)}\n${line('v.example', a)}\n`)
    expect(new KnownHosts(file).check('v.example', 22, a).status).toBe('revoked')
  })

  it('names hosts as OpenSSH does', () => {
    expect(hostField('h', 22)).toBe('h')
    expect(hostField('h', 2222)).toBe('[h]:2222')
  })
})
