import { Writable } from 'node:stream'
import { createLogger } from '../../src-main/log/logger.js'
import { createServices, type Services } from '../../src-main/services.js'
import { MemoryStore } from '../../src-main/vault/secret-store.js'
import { Vault } from '../../src-main/vault/vault.js'
import { makeTempDir } from './temp.js'

/** A logger whose lines are kept in memory, so tests can assert what was (not) logged. */
export function memoryLogger(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { log: createLogger({ level: 'debug', destination }), lines }
}

/**
 * The app's services over a temp data dir, as the window, web host and CLI build them. The vault
 * keeps secrets in memory here; the keychain itself is tested against gnome-keyring in tests/integration/vault.
 */
export function testServices(
  options: { logRetryWindowMs?: number } = {},
): Services & { logLines: string[]; removeDir(): void } {
  const dir = makeTempDir('svc')
  const { log, lines } = memoryLogger()
  const services = createServices({ dataDir: dir.path, log, vault: new Vault(new MemoryStore()), ...options })
  return Object.assign(services, { logLines: lines, removeDir: dir.remove })
}

/** `testServices` with a connection to a simulator already made (as `zstack.connect` makes it). */
export async function connectedServices(
  endpoint: string,
  options: { logRetryWindowMs?: number } = {},
): Promise<{ svc: ReturnType<typeof testServices>; connectionId: string }> {
  const svc = testServices(options)
  const r = (await svc.router.dispatch(
    'zstack.connect',
    { endpoint, accountName: 'admin', password: 'password' },
    { transport: 'cli' },
  )) as { value: { connectionId: string } }
  return { svc, connectionId: r.value.connectionId }
}
