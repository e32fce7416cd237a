import type { HandlerMap } from '../api/router.js'
import type { Vault } from './vault.js'

/** No `vault.get`: secrets go into the vault from the UI, never back out to it. */
export function vaultHandlers(vault: Vault): HandlerMap {
  return {
    'vault.status': () => vault.status(),
    'vault.set': async (req) => ({
      storedIn: await vault.set(req.key, req.secret, { remember: req.remember }),
    }),
    'vault.has': async (req) => {
      const storedIn = await vault.has(req.key)
      return { present: storedIn !== null, storedIn }
    },
    'vault.delete': async (req) => ({ deleted: await vault.delete(req.key) }),
  }
}
