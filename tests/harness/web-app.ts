import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  buildRenderer,
  projectRoot,
  rendererBuildStale,
  rendererOutDir,
} from '../../src-main/host/renderer-build.js'
import { startWebHost, type WebHost } from '../../src-main/host/web-host.js'
import { testServices } from './services.js'

export const ARTIFACTS_DIR = join(projectRoot, 'test-artifacts')

/** The app as `zsdr serve` runs it: services over a temp dir and the web host on loopback. */
export async function startWebApp(): Promise<{
  host: WebHost
  services: ReturnType<typeof testServices>
  stop(): Promise<void>
}> {
  if (rendererBuildStale()) buildRenderer(() => {})
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  const services = testServices()
  const host = await startWebHost({
    router: services.router,
    bus: services.bus,
    log: services.log,
    staticDir: rendererOutDir,
  })
  return {
    host,
    services,
    async stop() {
      await host.close()
      await services.close()
      services.removeDir()
    },
  }
}
