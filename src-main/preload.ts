import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron'
import type { Bridge, Envelope } from './api/contract/index.js'
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './host/ipc-channels.js'

/**
 * The whole surface the sandboxed renderer gets: invoke a named call, subscribe to events. No
 * ipcRenderer, no event objects (they carry the sender) and no Node cross into the page.
 */
const bridge: Bridge = {
  async invoke(name, request) {
    if (typeof name !== 'string')
      return refused('api.unknown_call', 'The call name must be a string.', '调用名称必须是字符串。')
    try {
      return (await ipcRenderer.invoke(INVOKE_CHANNEL, name, request)) as Envelope<unknown>
    } catch {
      return refused('ipc.unavailable', 'The application backend did not answer.', '应用后台没有响应。')
    }
  },
  subscribe(listener) {
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a function')
    const forward = (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (typeof name === 'string') listener(name, payload)
    }
    ipcRenderer.on(EVENT_CHANNEL, forward)
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward)
    }
  },
}

function refused(code: string, en: string, zh: string): Envelope<unknown> {
  return { ok: false, error: { code, message: { en, zh } } }
}

contextBridge.exposeInMainWorld('zsdr', bridge)
