import { describe, expect, it, vi } from 'vitest'
import { Router } from '../../../src-main/api/router.js'
import { AppError } from '../../../src-main/errors/app-error.js'
import { memoryLogger } from '../../harness/services.js'

function routerWith(handler: (req: { opId: string }) => unknown) {
  const spy = vi.fn(handler)
  const { log, lines } = memoryLogger()
  return { router: new Router({ 'ops.cancel': spy as never }, log), spy, lines }
}

describe('router', () => {
  it('refuses a request that fails its schema without calling the handler', async () => {
    const { router, spy } = routerWith(() => ({ cancelled: true }))
    const reply = await router.dispatch('ops.cancel', { opId: 'not-hex' }, { transport: 'web' })
    expect(reply.ok).toBe(false)
    if (reply.ok) return
    expect(reply.error.code).toBe('api.invalid_request')
    expect(reply.error.message.en).toContain('opId')
    expect(reply.error.message.zh).toContain('opId')
    expect(spy).not.toHaveBeenCalled()
  })

  // The CLI parses without zod's compiled fast path (start-up, #17): both ways must refuse alike.
  it.each([['ipc'], ['cli']] as const)(
    'refuses unknown fields (strict schemas) and non-object payloads (%s)',
    async (transport) => {
      const { router, spy } = routerWith(() => ({ cancelled: true }))
      const extra = await router.dispatch('ops.cancel', { opId: 'a'.repeat(32), extra: 1 }, { transport })
      const scalar = await router.dispatch('ops.cancel', 42, { transport })
      const badId = await router.dispatch('ops.cancel', { opId: 'not-hex' }, { transport })
      expect([extra.ok, scalar.ok, badId.ok]).toEqual([false, false, false])
      expect(spy).not.toHaveBeenCalled()
    },
  )

  it('passes a valid request to the handler and wraps its value', async () => {
    const { router, spy } = routerWith((req) => ({ cancelled: req.opId.startsWith('a') }))
    const reply = await router.dispatch('ops.cancel', { opId: 'a'.repeat(32) }, { transport: 'cli' })
    expect(reply).toEqual({ ok: true, value: { cancelled: true } })
    expect(spy).toHaveBeenCalledOnce()
  })

  it.each([['no.such.call'], ['__proto__'], ['toString'], [42], [null]])(
    'refuses the unknown call %s',
    async (name) => {
      const { router } = routerWith(() => ({}))
      const reply = await router.dispatch(name, {}, { transport: 'web' })
      expect(reply.ok).toBe(false)
      if (!reply.ok) expect(reply.error.code).toBe('api.unknown_call')
    },
  )

  it('refuses a contract call that has no handler', async () => {
    const { router } = routerWith(() => ({}))
    const reply = await router.dispatch('app.health', {}, { transport: 'web' })
    expect(reply.ok).toBe(false)
  })

  it('turns a thrown non-AppError into an internal envelope without stack or original text', async () => {
    const { router, lines } = routerWith(() => {
      throw new Error('boom: password=hunter22 at /secret/path.ts:12')
    })
    const reply = await router.dispatch('ops.cancel', { opId: 'b'.repeat(32) }, { transport: 'web' })
    expect(reply.ok).toBe(false)
    if (reply.ok) return
    expect(reply.error.code).toBe('internal')
    const text = JSON.stringify(reply)
    expect(text).not.toContain('hunter22')
    expect(text).not.toContain('path.ts')
    expect(text).not.toMatch(/\bat\b.*:\d+/)
    expect(lines.join('')).toContain('handler failed')
  })

  it('forwards an AppError with its code, both languages and details', async () => {
    const { router } = routerWith(() => {
      throw new AppError('demo.failed', { en: 'It failed.', zh: '失败了。' }, { step: 3 })
    })
    const reply = await router.dispatch('ops.cancel', { opId: 'c'.repeat(32) }, { transport: 'web' })
    expect(reply).toEqual({
      ok: false,
      error: { code: 'demo.failed', message: { en: 'It failed.', zh: '失败了。' }, details: { step: 3 } },
    })
  })
})
