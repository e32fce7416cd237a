import { Writable } from 'node:stream'
import type { OperationFinished } from '../../../src-main/api/contract/app.js'
import type { CallName, CallReply, CallRequest, EventName } from '../../../src-main/api/contract/index.js'
import { createLogger } from '../../../src-main/log/logger.js'
import { createServices, type Services } from '../../../src-main/services.js'
import { MemoryStore } from '../../../src-main/vault/secret-store.js'
import { Vault } from '../../../src-main/vault/vault.js'

export interface TestApp {
  services: Services
  logText(): string
  events: Array<{ name: EventName; payload: unknown }>
  call<N extends CallName>(name: N, req: CallRequest<N>): Promise<CallReply<N>>
  /** Resolves with the `op.finished` event of an operation. */
  finished(opId: string): Promise<OperationFinished>
}

/** The app's services as every door builds them, with a memory "keychain" and a captured log. */
export function startApp(dataDir: string, homeDir: string): TestApp {
  let log = ''
  const destination = new Writable({
    write(chunk, _enc, cb) {
      log += chunk.toString()
      cb()
    },
  })
  const services = createServices({
    dataDir,
    homeDir,
    vault: new Vault(new MemoryStore()),
    log: createLogger({ level: 'debug', destination }),
  })
  const events: TestApp['events'] = []
  const waiters = new Map<string, (f: OperationFinished) => void>()
  services.bus.subscribe((name, payload) => {
    events.push({ name, payload })
    if (name === 'op.finished') {
      const f = payload as OperationFinished
      waiters.get(f.opId)?.(f)
    }
  })
  return {
    services,
    events,
    logText: () => log,
    async call(name, req) {
      const env = await services.router.dispatch(name, req, { transport: 'ipc' })
      if (!env.ok) throw Object.assign(new Error(env.error.message.en), env.error)
      return env.value as never
    },
    finished(opId) {
      const done = events.find(
        (e) => e.name === 'op.finished' && (e.payload as OperationFinished).opId === opId,
      )
      if (done) return Promise.resolve(done.payload as OperationFinished)
      return new Promise((resolve) => waiters.set(opId, resolve))
    },
  }
}
