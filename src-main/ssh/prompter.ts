import { randomBytes } from 'node:crypto'
import type { EventBus } from '../api/event-bus.js'
import type { HostKeyPrompt } from './host-key.js'

const DEFAULT_TIMEOUT_MS = 5 * 60_000

/**
 * Host-key questions for the UI: each unknown key becomes an `ssh.hostKeyPrompt` event, and the
 * connection waits for `ssh.answerHostKey`. Unanswered prompts are refused after a timeout, so a
 * closed window never leaves a connection hanging or a key silently trusted.
 */
export class HostKeyPrompter {
  private readonly pending = new Map<string, (accept: boolean) => void>()

  constructor(
    private readonly bus: EventBus,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  ask(prompt: HostKeyPrompt): Promise<boolean> {
    const promptId = randomBytes(16).toString('hex')
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answer(promptId, false), this.timeoutMs)
      this.pending.set(promptId, (accept) => {
        clearTimeout(timer)
        resolve(accept)
      })
      this.bus.emit('ssh.hostKeyPrompt', {
        promptId,
        ...prompt,
        expiresAt: new Date(Date.now() + this.timeoutMs).toISOString(),
      })
    })
  }

  /** False when the prompt is unknown or already answered (timed out, answered elsewhere). */
  answer(promptId: string, accept: boolean): boolean {
    const settle = this.pending.get(promptId)
    if (!settle) return false
    this.pending.delete(promptId)
    settle(accept)
    return true
  }
}
