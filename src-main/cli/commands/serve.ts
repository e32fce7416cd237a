import { type Command, InvalidArgumentError } from 'commander'
import type { CliContext } from '../context.js'
import { helpExamples } from '../help.js'

export function registerServe(program: Command, ctx: CliContext): void {
  helpExamples(program.command('serve'), [
    'zsdr serve --build-if-needed     # then open the printed URL',
    'zsdr serve -p 8080               # on a jump host: ssh -L 8080:127.0.0.1:8080 jump',
  ])
    .description(
      'serve the app to a browser on 127.0.0.1 (open the printed URL; it carries a per-run token) / 在本机提供网页界面',
    )
    .option('-p, --port <port>', 'port on 127.0.0.1 (default: a free port)', parsePort, 0)
    .option('--build-if-needed', 'build the renderer first when it is missing or older than its sources')
    .action(async (opts: { port: number; buildIfNeeded?: boolean }, command: Command) => {
      // Loaded here, not at start-up: the build helper brings child_process, the host node:http.
      const { buildRenderer, rendererBuildStale, rendererOutDir } = await import(
        '../../host/renderer-build.js'
      )
      if (opts.buildIfNeeded && rendererBuildStale()) buildRenderer((line) => ctx.stderr.write(`${line}\n`))
      const services = await ctx.getServices()
      const { startWebHost } = await import('../../host/web-host.js')
      const host = await startWebHost({
        router: services.router,
        bus: services.bus,
        log: services.log,
        staticDir: rendererOutDir,
        port: opts.port,
      })
      ctx.output(command, { url: host.url, port: host.port }, () => `ZStack DR Desk: open ${host.url}`)
      await untilSignal()
      await host.close()
    })
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is 0-65535')
  return port
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
}
