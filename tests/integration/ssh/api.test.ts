import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HostKeyPromptEvent } from '../../../src-main/api/contract/index.js'
import { createLogger } from '../../../src-main/log/logger.js'
import { createServices, type Services } from '../../../src-main/services.js'
import { MemoryStore } from '../../../src-main/vault/secret-store.js'
import { Vault } from '../../../src-main/vault/vault.js'
import { type Sshd, startSshd } from '../../harness/sshd.js'
import { makeTempDir } from '../../harness/temp.js'

const tmp = makeTempDir('ssh-api')
let sshd: Sshd
let services: Services
let log = ''
const prompts: HostKeyPromptEvent[] = []

beforeAll(async () => {
  sshd = await startSshd()
  services = createServices({
    dataDir: tmp.path,
    homeDir: tmp.path,
    vault: new Vault(new MemoryStore()),
    log: createLogger({
      level: 'debug',
      destination: new Writable({
        write(c, _e, cb) {
          log += c.toString()
          cb()
        },
      }),
    }),
  })
  services.bus.subscribe((name, payload) => {
    if (name === 'ssh.hostKeyPrompt') prompts.push(payload as HostKeyPromptEvent)
  })
})
afterAll(async () => {
  await services?.close()
  await sshd?.stop()
  tmp.remove()
})

const call = (name: string, req: unknown) => services.router.dispatch(name, req, { transport: 'ipc' })

describe('ssh.test and host-key prompts through the API', () => {
  it('a refused prompt fails with the fingerprint; an accepted one connects; a pasted URL password works and is never echoed', async () => {
    const url = `ssh://${sshd.user}:${encodeURIComponent(sshd.password)}@127.0.0.1:${sshd.port}/var/lib/zstack`
    const target = { host: url, agent: false }
    const refusing = services.bus.subscribe((name, p) => {
      if (name === 'ssh.hostKeyPrompt')
        void call('ssh.answerHostKey', { promptId: (p as HostKeyPromptEvent).promptId, accept: false })
    })
    const refused = await call('ssh.test', { target, sshConfigFile: null })
    refusing()
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'ssh.host_key_unknown', details: { fingerprint: sshd.hostKeyFingerprint } },
    })
    expect(prompts[0]).toMatchObject({
      label: `${sshd.user}@127.0.0.1:${sshd.port}`,
      fingerprint: sshd.hostKeyFingerprint,
    })

    const accepting = services.bus.subscribe((name, p) => {
      if (name === 'ssh.hostKeyPrompt')
        void call('ssh.answerHostKey', { promptId: (p as HostKeyPromptEvent).promptId, accept: true })
    })
    const ok = await call('ssh.test', { target, sshConfigFile: null })
    accepting()
    expect(ok).toEqual({
      ok: true,
      value: { label: `${sshd.user}@127.0.0.1:${sshd.port}`, hostKeyFingerprint: sshd.hostKeyFingerprint },
    })
    // Answering a prompt twice, or one that never existed, is harmless.
    expect(await call('ssh.answerHostKey', { promptId: prompts[1]!.promptId, accept: true })).toEqual({
      ok: true,
      value: { answered: false },
    })
    const again = await call('ssh.test', {
      target: { host: `${sshd.user}@127.0.0.1:${sshd.port}`, agent: false },
      sshConfigFile: null,
    })
    expect(again.ok).toBe(true)
    expect(prompts).toHaveLength(2)
    expect(JSON.stringify([refused, ok, prompts])).not.toContain(sshd.password)
    expect(log).not.toContain(sshd.password)
  })

  it('reports unreachable hosts with clear codes', async () => {
    await call('vault.set', {
      key: `ssh-password:${sshd.user}@127.0.0.1:1`,
      secret: 'pw-for-port-1',
      remember: false,
    })
    const closed = await call('ssh.test', {
      target: { host: `${sshd.user}@127.0.0.1:1`, agent: false },
      sshConfigFile: null,
    })
    expect(closed).toMatchObject({ ok: false, error: { code: 'ssh.connection_refused' } })
    const noCreds = await call('ssh.test', {
      target: { host: `nobody@127.0.0.1:${sshd.port}`, agent: false },
      sshConfigFile: null,
    })
    expect(noCreds).toMatchObject({ ok: false, error: { code: 'ssh.no_credentials' } })
  })
})
