import { describe, expect, it } from 'vitest'
import { LocalHost } from '../../../src-main/ssh/local-host.js'

/** `run` collects a command's output whole, or refuses it: never a cut answer taken for the whole. */
describe('run: collected output', () => {
  const host = new LocalHost()

  it('returns an answer under the cap whole', async () => {
    const r = await host.run('head -c 1000000 /dev/zero | tr "\\0" a')
    expect(r.code).toBe(0)
    expect(r.stdout).toHaveLength(1_000_000)
  })

  it('refuses an answer over 16 MiB with a clear error instead of cutting it', async () => {
    await expect(host.run('head -c 17000000 /dev/zero | tr "\\0" a')).rejects.toMatchObject({
      code: 'ssh.output_too_large',
      details: { host: 'localhost', bytes: 17_000_000 },
    })
  })
})
