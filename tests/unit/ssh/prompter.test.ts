import { describe, expect, it } from 'vitest'
import type { HostKeyPromptEvent } from '../../../src-main/api/contract/index.js'
import { EventBus } from '../../../src-main/api/event-bus.js'
import { HostKeyPrompter } from '../../../src-main/ssh/prompter.js'

const prompt = { host: 'h', port: 22, label: 'root@h:22', keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' }

function setup(timeoutMs: number) {
  const bus = new EventBus()
  const seen: HostKeyPromptEvent[] = []
  bus.subscribe((name, p) => {
    if (name === 'ssh.hostKeyPrompt') seen.push(p as HostKeyPromptEvent)
  })
  return { prompter: new HostKeyPrompter(bus, timeoutMs), seen }
}

describe('HostKeyPrompter', () => {
  it('emits a prompt event and resolves with the answer, once', async () => {
    const { prompter, seen } = setup(10_000)
    const answer = prompter.ask(prompt)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ ...prompt, promptId: expect.stringMatching(/^[0-9a-f]{32}$/) })
    expect(prompter.answer(seen[0]!.promptId, true)).toBe(true)
    expect(prompter.answer(seen[0]!.promptId, false)).toBe(false)
    expect(await answer).toBe(true)
  })

  it('refuses when nobody answers in time', async () => {
    const { prompter, seen } = setup(30)
    expect(await prompter.ask(prompt)).toBe(false)
    expect(prompter.answer(seen[0]!.promptId, true)).toBe(false)
  })
})
