import type {
  Bridge,
  CallName,
  CallReply,
  CallRequest,
  Envelope,
  ErrorEnvelope,
  EventName,
  EventPayload,
} from '../../../src-main/api/contract/index.js'

/**
 * The renderer's only client of the app API. In the Electron window it uses the preload's
 * bridge; in a browser (web host) it uses fetch for calls and Server-Sent Events for events.
 * Screens never know which.
 */
export class ApiError extends Error {
  constructor(readonly envelope: ErrorEnvelope) {
    super(envelope.message.en)
    this.name = 'ApiError'
  }
}

const bridge: Bridge = window.zsdr ?? webBridge()

export async function call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallReply<N>> {
  const envelope = await bridge.invoke(name, request)
  if (!envelope.ok) throw new ApiError(envelope.error)
  return envelope.value as CallReply<N>
}

export function on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
  return bridge.subscribe((eventName, payload) => {
    if (eventName === name) listener(payload as EventPayload<E>)
  })
}

function webBridge(): Bridge {
  const listeners = new Set<(name: string, payload: unknown) => void>()
  let eventsOpen = false
  return {
    async invoke(name, request) {
      const response = await fetch(`/api/call/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(request ?? {}),
      })
      if (!response.ok) return transportError(response.status, await response.text())
      return (await response.json()) as Envelope<unknown>
    },
    subscribe(listener) {
      listeners.add(listener)
      if (!eventsOpen) openEvents(listeners)
      eventsOpen = true
      return () => listeners.delete(listener)
    },
  }
}

function openEvents(listeners: Set<(name: string, payload: unknown) => void>): void {
  const source = new EventSource('/api/events')
  source.onmessage = (message: MessageEvent<string>) => {
    const { name, payload } = JSON.parse(message.data) as { name: string; payload: unknown }
    for (const listener of listeners) listener(name, payload)
  }
}

function transportError(status: number, text: string): Envelope<never> {
  return {
    ok: false,
    error: {
      code: 'transport.http',
      message: {
        en: `The local app service answered HTTP ${status}: ${text.slice(0, 200)}`,
        zh: `本地应用服务返回 HTTP ${status}：${text.slice(0, 200)}`,
      },
    },
  }
}
