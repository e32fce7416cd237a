import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { Bridge } from '../../../src-main/api/contract/index.js'
import { ensureBuilt } from '../../security/electronegativity.js'

/** Records what the preload hands to the page and lets the test play the main process. */
function fakePreloadElectron() {
  const exposed: [string, unknown][] = []
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>()
  const ipcRenderer = {
    invoke: vi.fn(async (..._args: unknown[]): Promise<unknown> => ({ ok: true, value: 'pong' })),
    on: vi.fn((channel: string, fn: (...args: unknown[]) => void) => {
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(fn))
    }),
    removeListener: vi.fn((channel: string, fn: (...args: unknown[]) => void) => {
      listeners.get(channel)?.delete(fn)
    }),
  }
  return {
    exposed,
    ipcRenderer,
    emit(channel: string, ...args: unknown[]) {
      for (const fn of listeners.get(channel) ?? []) fn({ sender: 'the-event-object' }, ...args)
    },
    listenerCount: (channel: string) => listeners.get(channel)?.size ?? 0,
    module: {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push([key, api]) },
      ipcRenderer,
    },
  }
}

const electron = vi.hoisted(() => ({
  current: undefined as unknown as ReturnType<typeof fakePreloadElectron>,
}))
vi.mock('electron', () => electron.current.module)

/** The same assertions for the TypeScript source and the built single CommonJS file. */
function describeBridge(label: string, load: () => Promise<ReturnType<typeof fakePreloadElectron>>) {
  describe(label, () => {
    let fake: ReturnType<typeof fakePreloadElectron>
    let bridge: Bridge

    beforeAll(async () => {
      fake = await load()
      expect(fake.exposed).toHaveLength(1)
      bridge = fake.exposed[0]![1] as Bridge
    })

    it('exposes exactly window.zsdr with invoke and subscribe', () => {
      expect(fake.exposed[0]![0]).toBe('zsdr')
      expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe'])
    })

    it('sends named calls over the one invoke channel', async () => {
      await expect(bridge.invoke('app.health', {})).resolves.toEqual({ ok: true, value: 'pong' })
      expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith('zsdr:invoke', 'app.health', {})
    })

    it('refuses a non-string call name without sending anything', async () => {
      fake.ipcRenderer.invoke.mockClear()
      for (const name of [42, null, { toString: () => 'app.health' }]) {
        const reply = await bridge.invoke(name as never, {})
        expect(reply).toMatchObject({ ok: false, error: { code: 'api.unknown_call' } })
      }
      expect(fake.ipcRenderer.invoke).not.toHaveBeenCalled()
    })

    it('turns a broken IPC channel into an envelope', async () => {
      fake.ipcRenderer.invoke.mockRejectedValueOnce(new Error('No handler registered for zsdr:invoke'))
      const reply = await bridge.invoke('app.health', {})
      expect(reply).toMatchObject({
        ok: false,
        error: { code: 'ipc.unavailable', message: { zh: expect.any(String) } },
      })
      expect(JSON.stringify(reply)).not.toContain('No handler')
    })

    it('delivers events as (name, payload) without the IPC event object, until unsubscribed', () => {
      const seen: unknown[][] = []
      const unsubscribe = bridge.subscribe((name, payload) => seen.push([name, payload]))
      fake.emit('zsdr:event', 'op.progress', { done: 1 })
      fake.emit('other:channel', 'op.progress', { done: 2 })
      unsubscribe()
      fake.emit('zsdr:event', 'op.progress', { done: 3 })
      expect(seen).toEqual([['op.progress', { done: 1 }]])
      expect(fake.listenerCount('zsdr:event')).toBe(0)
      expect(() => bridge.subscribe('not a function' as never)).toThrow('subscribe needs a function')
    })
  })
}

describeBridge('preload (source)', async () => {
  electron.current = fakePreloadElectron()
  vi.resetModules()
  await import('../../../src-main/preload.js')
  return electron.current
})

describeBridge('preload (built out/preload/preload.cjs, as a sandboxed preload runs it)', async () => {
  ensureBuilt()
  // One self-contained CommonJS file: a sandboxed preload cannot load chunks.
  expect(readdirSync(join(import.meta.dirname, '../../../out/preload'))).toEqual(['preload.cjs'])
  const code = readFileSync(join(import.meta.dirname, '../../../out/preload/preload.cjs'), 'utf8')
  const fake = fakePreloadElectron()
  const required: string[] = []
  // A sandboxed preload can require only a few Electron modules: anything else means the bundle is not self-contained.
  const sandboxRequire = (id: string) => {
    required.push(id)
    if (id !== 'electron') throw new Error(`a sandboxed preload cannot require "${id}"`)
    return fake.module
  }
  const module = { exports: {} }
  runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console })
  expect(required).toEqual(['electron'])
  return fake
})
