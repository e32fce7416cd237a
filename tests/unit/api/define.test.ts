import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { defineCall } from '../../../src-main/api/contract/define.js'

describe('defineCall', () => {
  it('builds the request schema on its first use, once (not when the contract is imported)', () => {
    const build = vi.fn(() => z.object({ n: z.number() }).strict())
    const spec = defineCall<{ ok: boolean }>()(build)
    expect(build).not.toHaveBeenCalled()
    expect(spec.request.safeParse({ n: 1 }).success).toBe(true)
    expect(spec.request.safeParse({ n: 'x' }).success).toBe(false)
    expect(spec.request).toBe(spec.request)
    expect(build).toHaveBeenCalledTimes(1)
  })
})
