import { randomUUID } from 'node:crypto'

/** A ZStack uuid: a v4 UUID without dashes (32 lowercase hex characters). */
export function newUuid(): string {
  return randomUUID().replaceAll('-', '')
}

/**
 * Deterministic pseudo-random numbers (mulberry32) so seeds are identical on every run:
 * tests and benchmarks can name seeded resources by position.
 */
export class SeededRandom {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }

  private readonly bytes = Buffer.alloc(16)

  uuid(): string {
    for (let i = 0; i < 4; i++) this.bytes.writeUInt32BE(Math.floor(this.next() * 4294967296), i * 4)
    // Set the v4 version and variant bits like a real random UUID.
    this.bytes[6] = (this.bytes[6]! & 0x0f) | 0x40
    this.bytes[8] = (this.bytes[8]! & 0x3f) | 0x80
    return this.bytes.toString('hex')
  }
}
