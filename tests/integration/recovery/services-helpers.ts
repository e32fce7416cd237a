import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { OperationFinished } from '../../../src-main/api/contract/app.js'
import type { CallName, CallReply, CallRequest, EventName } from '../../../src-main/api/contract/index.js'
import { createLogger } from '../../../src-main/log/logger.js'
import { createServices, type Services } from '../../../src-main/services.js'
import { MemoryStore } from '../../../src-main/vault/secret-store.js'
import { Vault } from '../../../src-main/vault/vault.js'
import { addBackupImage, installZstcli } from '../../fixtures/zstcli/index.js'

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

/**
 * One backup twice on a (loopback) host: as an image in a stand-in image store (zstcli, under
 * `work`) and as a dump file in `work/dumps`; both scanned into the app's catalog through `target`
 * (`user@host:port`) with the password from the vault. Returns the image's id.
 */
export async function seedAndScan(
  app: TestApp,
  work: string,
  login: { target: string; password: string },
  data: Buffer,
  registryPort: number,
): Promise<string> {
  const zst = installZstcli(work, registryPort)
  const imageId = addBackupImage(zst, {
    data,
    fileName: 'big.gz',
    version: '3.0.0',
    created: '2026-11-26T00:00:00',
  })
  mkdirSync(join(work, 'dumps'), { mode: 0o755 })
  writeFileSync(join(work, 'dumps', 'zstack-backup-db-2026-11-26_00-00-00.gz'), data, { mode: 0o644 })
  await app.call('vault.set', {
    key: `ssh-password:${login.target}`,
    secret: login.password,
    remember: false,
  })
  const { opId } = await app.call('db.scan', {
    hosts: [{ target: { host: login.target, agent: false } }],
    imageStore: { zstcli: zst.zstcli, rootCa: zst.rootCa, registryPort: zst.registryPort },
    dumpDirs: [join(work, 'dumps')],
    acceptNewHostKey: true,
    sshConfigFile: null,
  })
  const scanned = await app.finished(opId)
  if (scanned.outcome !== 'succeeded')
    throw new Error(`scan ${scanned.outcome}: ${JSON.stringify(scanned.error)}`)
  return imageId
}

/** The exports of `imageId` zstcli made for a fetch and that are still in the host's /tmp. */
export function exportsLeftOnHost(imageId: string): string[] {
  return readdirSync('/tmp').filter((n) => {
    const imf2 = join('/tmp', n, 'zsdb.imf2')
    return n.startsWith('zsdr-fetch.') && existsSync(imf2) && readFileSync(imf2, 'utf8').includes(imageId)
  })
}
