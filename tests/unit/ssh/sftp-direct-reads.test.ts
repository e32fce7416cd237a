import { createRequire } from 'node:module'
import type { SFTPWrapper } from 'ssh2'
import { describe, expect, it } from 'vitest'
import { withDirectReads } from '../../../src-main/ssh/sftp-direct-reads.js'

/**
 * ssh2's own SFTP client, each fed the same server bytes cut in many ways: one as ssh2 parses them,
 * one with direct reads. Every callback must see the same thing; DATA answers must skip ssh2's parser.
 * The connection under them is a recorder (no server): what is tested is the parsing of answers.
 */
const { SFTP } = createRequire(import.meta.url)('ssh2/lib/protocol/SFTP.js') as {
  SFTP: new (client: unknown, chanInfo: unknown, cfg: unknown) => SFTPWrapper
}

const FXP = { VERSION: 2, STATUS: 101, HANDLE: 102, DATA: 103, ATTRS: 105 }
const HANDLE = Buffer.from('h-1')

function packet(type: number, ...fields: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from([type]), ...fields])
  return Buffer.concat([u32(body.length), body])
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
function str(s: Buffer | string): Buffer {
  const b = Buffer.from(s)
  return Buffer.concat([u32(b.length), b])
}

interface Client {
  sftp: SFTPWrapper
  /** Everything the callbacks saw, in order. */
  seen: string[]
  /** Packets ssh2's own parser was given. */
  parsed: number
  errors: string[]
}

function client(direct: boolean): Client {
  const recorder = {
    _protocol: {
      _remoteIdentRaw: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
      channelData: () => {},
      channelClose: () => {},
    },
  }
  const side = { id: 0, window: 2 * 1024 * 1024, packetSize: 32 * 1024, state: 'open' }
  const sftp = new SFTP(recorder, { type: 'sftp', incoming: { ...side }, outgoing: { ...side } }, {})
  const c: Client = { sftp, seen: [], parsed: 0, errors: [] }
  const internals = sftp as unknown as { push(data: Buffer | null): unknown }
  const parse = internals.push.bind(internals)
  internals.push = (data) => {
    c.parsed++
    return parse(data)
  }
  sftp.on('error', (e: Error) => c.errors.push(e.message))
  if (direct) c.sftp = withDirectReads(sftp)
  return c
}

/** Request ids are given in order from 0: the reads below are ids 0 to 4, then the stat. */
function ask(c: Client): void {
  const read = (id: number, length: number) => {
    const buf = Buffer.alloc(length + 8, 0xee)
    c.sftp.read(HANDLE, buf, 4, length, id * 1000, (err, bytes, data) => {
      c.seen.push(
        `read ${id}: ${err ? `error ${(err as { code?: number }).code} ${err.message}` : `${bytes} bytes ${data.toString('hex')}`} buffer ${buf.toString('hex')}`,
      )
    })
  }
  read(0, 300) // answered whole
  read(1, 40) // answered short
  read(2, 16) // answered with more than asked
  read(3, 10) // at the end of the file
  read(4, 0) // answered with no data
  c.sftp.stat('/backups/备份 1.gz', (err, attrs) => c.seen.push(`stat: ${err?.message ?? attrs.size}`))
}

/** The server's answers, in an order unlike the requests'. */
function answers(): Buffer {
  const data = (id: number, bytes: number) =>
    packet(FXP.DATA, u32(id), str(Buffer.from(Array.from({ length: bytes }, (_, i) => (id * 31 + i) & 0xff))))
  const attrs = Buffer.concat([u32(1), u32(0), u32(123456)]) // flags: SIZE, as a 64-bit number
  return Buffer.concat([
    packet(FXP.VERSION, u32(3)),
    data(1, 25),
    data(0, 300),
    packet(FXP.ATTRS, u32(5), attrs),
    data(2, 20),
    packet(FXP.STATUS, u32(3), u32(1), str('End of file'), str('')),
    data(4, 0),
    data(9, 12), // no such request
  ])
}

function feed(c: Client, bytes: Buffer, cuts: (offset: number) => number): void {
  for (let p = 0; p < bytes.length; ) {
    const n = Math.max(1, Math.min(cuts(p), bytes.length - p))
    ;(c.sftp as unknown as { push(data: Buffer): unknown }).push(bytes.subarray(p, p + n))
    p += n
  }
}

function run(direct: boolean, cuts: (offset: number) => number): Client {
  const c = client(direct)
  const stream = answers()
  // The VERSION comes before any request can be sent.
  const version = stream.subarray(0, 9)
  feed(c, version, cuts)
  ask(c)
  feed(c, stream.subarray(9), cuts)
  return c
}

describe('SFTP direct reads (ssh2 SFTP client, answers cut every way)', () => {
  const cutters: Record<string, (offset: number) => number> = {
    'one piece': () => Number.MAX_SAFE_INTEGER,
    'byte by byte': () => 1,
    'in 2s': () => 2,
    'in 7s': () => 7,
    'in 13s (a DATA head)': () => 13,
    'in 32 KiB pieces less 1 (an SSH packet)': () => 32 * 1024 - 1,
    'pieces of 1 to 40, seeded': (offset) => ((offset * 2654435761) % 40) + 1,
  }

  for (const [name, cuts] of Object.entries(cutters)) {
    it(`${name}: every callback sees what ssh2 alone gives`, () => {
      const plain = run(false, cuts)
      const direct = run(true, cuts)
      expect(direct.seen).toEqual(plain.seen)
      expect(direct.errors).toEqual(plain.errors)
      expect(plain.seen).toHaveLength(6)
      expect(plain.errors).toEqual([])
    })
  }

  it('DATA answers that fit their reads never reach ssh2 parser; every other packet does, whole', () => {
    const direct = run(true, () => 1)
    // VERSION, ATTRS, STATUS, the short answer to read 2 (more than asked), the answer to no request.
    expect(direct.parsed).toBe(5)
    expect(direct.seen[0]).toMatch(/^read 1: 25 bytes /)
    expect(direct.seen.find((s) => s.startsWith('read 0'))).toMatch(/^read 0: 300 bytes /)
  })

  it('a packet length ssh2 refuses fails the channel as ssh2 alone does', () => {
    const bad = Buffer.concat([packet(FXP.VERSION, u32(3)), u32(0x00100000), Buffer.alloc(64, 1)])
    const plain = client(false)
    const direct = client(true)
    // In one piece: after refusing a packet ssh2 is done with the channel (it parses nothing more).
    feed(plain, bad, () => bad.length)
    feed(direct, bad, () => bad.length)
    expect(plain.errors).toHaveLength(1)
    expect(direct.errors).toEqual(plain.errors)
  })

  it('a length of 2^31 or more: ssh2 alone throws out of the data handler; here the channel fails with its error', () => {
    const huge = Buffer.concat([packet(FXP.VERSION, u32(3)), u32(0xffffff00), Buffer.alloc(64, 1)])
    expect(() => feed(client(false), huge, () => huge.length)).toThrow(TypeError)
    const direct = client(true)
    feed(direct, huge, () => 3)
    expect(direct.errors).toEqual(['Packet length 2147483647 exceeds max length of 262144'])
  })

  it('leaves alone an object without ssh2 internals it knows', () => {
    const odd = { push: () => undefined, server: false } as unknown as SFTPWrapper
    const push = (odd as unknown as { push: unknown }).push
    expect(withDirectReads(odd)).toBe(odd)
    expect((odd as unknown as { push: unknown }).push).toBe(push)
  })
})
