import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { connectHost, KnownHosts } from '../../../src-main/ssh/index.js'
import { makeTempDir } from '../../harness/temp.js'

const tmp = makeTempDir('ssh-timeout')
afterAll(() => tmp.remove())

/** A TCP server that accepts and then says nothing, like a firewall black hole or a hung sshd. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((s) => {
    sockets.add(s)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

describe('connection timeouts and cancel', () => {
  const options = { knownHosts: new KnownHosts(join(tmp.path, 'kh')), configFile: null, homeDir: tmp.path }

  it('gives up on a silent server with ssh.timeout', async () => {
    const server = await silentServer()
    try {
      const started = Date.now()
      await expect(
        connectHost(
          { host: '127.0.0.1', port: server.port, user: 'u', agent: false },
          { ...options, readyTimeoutMs: 300, credentials: () => ({ password: 'pw-unused' }) },
        ),
      ).rejects.toMatchObject({ code: 'ssh.timeout' })
      expect(Date.now() - started).toBeLessThan(5000)
    } finally {
      await server.close()
    }
  })

  it('stops connecting when cancelled', async () => {
    const server = await silentServer()
    try {
      const controller = new AbortController()
      setTimeout(() => controller.abort(new Error('user cancelled')), 100)
      await expect(
        connectHost(
          { host: '127.0.0.1', port: server.port, user: 'u', agent: false },
          { ...options, signal: controller.signal, credentials: () => ({ password: 'pw-unused' }) },
        ),
      ).rejects.toThrow('user cancelled')
    } finally {
      await server.close()
    }
  })
})
