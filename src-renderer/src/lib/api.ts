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
 * bridge; in a browser (web host) it uses fetch for calls (the per-run token in a header) and
 * Server-Sent Events for events. Screens never know which.
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

const TOKEN_KEY = 'zsdr-token'

/**
 * The web host's per-run token: `zsdr serve` prints it in the URL's fragment (never sent to a
 * server). It moves to this tab's sessionStorage and leaves the address bar at once.
 */
function webToken(): string {
  const fromUrl = /^#token=([\w-]+)$/.exec(location.hash)?.[1]
  if (fromUrl !== undefined) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl)
    history.replaceState(null, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

function webBridge(): Bridge {
  const listeners = new Set<(name: string, payload: unknown) => void>()
  const auth = { Authorization: `Bearer ${webToken()}` }
  let eventsOpen = false
  return {
    async invoke(name, request) {
      const response = await fetch(`/api/call/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        credentials: 'omit',
        body: JSON.stringify(request ?? {}),
      })
      if (!response.ok) return transportError(response.status, await response.text())
      return (await response.json()) as Envelope<unknown>
    },
    subscribe(listener) {
      listeners.add(listener)
      if (!eventsOpen) void openEvents(auth, listeners)
      eventsOpen = true
      return () => listeners.delete(listener)
    },
  }
}

const EVENTS_RETRY_MS = 3000

/**
 * Opens the event stream with a single-use ticket (EventSource cannot send the token header). A
 * dropped stream cannot reuse its ticket, so every error closes it and opens a new one shortly.
 */
async function openEvents(
  headers: Record<string, string>,
  listeners: Set<(name: string, payload: unknown) => void>,
): Promise<void> {
  const retry = () => setTimeout(() => void openEvents(headers, listeners), EVENTS_RETRY_MS)
  let ticket: string
  try {
    const response = await fetch('/api/events/ticket', { method: 'POST', headers, credentials: 'omit' })
    if (!response.ok) return void retry()
    ticket = ((await response.json()) as { ticket: string }).ticket
  } catch {
    return void retry()
  }
  const source = new EventSource(`/api/events?ticket=${encodeURIComponent(ticket)}`)
  source.onmessage = (message: MessageEvent<string>) => {
    const { name, payload } = JSON.parse(message.data) as { name: string; payload: unknown }
    for (const listener of listeners) listener(name, payload)
  }
  source.onerror = () => {
    source.close()
    retry()
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
