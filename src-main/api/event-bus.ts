import type { EventName, EventPayload } from './contract/index.js'

export type EventListener = (name: EventName, payload: unknown) => void

/**
 * Server-to-renderer events. Services emit typed payloads; transports forward every event to
 * their subscribers. Payloads must never contain secrets: they reach the renderer as they are.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>()

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) listener(name, payload)
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
