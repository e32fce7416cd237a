import { newUuid } from './ids.js'

export interface Session {
  uuid: string
  accountUuid: string
  userUuid: string
  createDate: number
  lastUsed: number
}

/** Sessions expire after `ttlMs` without use (ZStack's idle timeout, 7200 s by default). */
export class Sessions {
  private readonly byUuid = new Map<string, Session>()
  readonly accountUuid = '36c27e8ff05c4780bf6d2fa65700f22e'

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  create(): Session {
    const t = this.now()
    const s = {
      uuid: newUuid(),
      accountUuid: this.accountUuid,
      userUuid: this.accountUuid,
      createDate: t,
      lastUsed: t,
    }
    this.byUuid.set(s.uuid, s)
    return s
  }

  /** The live session, refreshed by this use; null when unknown or idle past the ttl. */
  use(uuid: string): Session | null {
    const s = this.byUuid.get(uuid)
    if (!s) return null
    if (this.now() - s.lastUsed > this.ttlMs) {
      this.byUuid.delete(uuid)
      return null
    }
    s.lastUsed = this.now()
    return s
  }

  isValid(uuid: string): boolean {
    return this.use(uuid) !== null
  }

  expiredDate(s: Session): number {
    return s.lastUsed + this.ttlMs
  }

  delete(uuid: string): void {
    this.byUuid.delete(uuid)
  }

  /** For tests: every session becomes invalid, as after the idle timeout. */
  expireAll(): void {
    this.byUuid.clear()
  }

  get count(): number {
    return this.byUuid.size
  }
}
