import { describe, expect, it, vi } from 'vitest'
import { onFirstUse } from '../../../src-main/util/on-first-use.js'

describe('onFirstUse', () => {
  it('loads on the first call only, and every caller gets the same value', async () => {
    const load = vi.fn(async () => ({ service: 1 }))
    const get = onFirstUse(load)
    expect(load).not.toHaveBeenCalled()
    const [a, b] = await Promise.all([get(), get()])
    expect(a).toBe(b)
    expect(await get()).toBe(a)
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('does not keep a failed load: the next call tries again', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('not yet')).mockResolvedValueOnce('loaded')
    const get = onFirstUse(load as () => Promise<string>)
    await expect(get()).rejects.toThrow('not yet')
    expect(await get()).toBe('loaded')
    expect(load).toHaveBeenCalledTimes(2)
  })
})
