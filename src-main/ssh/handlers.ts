import type { HandlerMap } from '../api/router.js'
import type { SshConnector } from './connector.js'
import type { HostKeyPrompter } from './prompter.js'

export function sshHandlers(deps: { connector: SshConnector; prompter: HostKeyPrompter }): HandlerMap {
  return {
    'ssh.test': async (req) => {
      const host = await deps.connector.connect(req.target, req)
      try {
        return { label: host.label, hostKeyFingerprint: host.hostKeyFingerprint }
      } finally {
        await host.close()
      }
    },
    'ssh.answerHostKey': (req) => ({ answered: deps.prompter.answer(req.promptId, req.accept) }),
  }
}
