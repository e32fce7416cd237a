import type { z } from 'zod'
import { AppError, type ErrorEnvelope, isAppError, toEnvelope } from '../errors/app-error.js'
import type { Logger } from '../log/logger.js'
import {
  type CallName,
  type CallReply,
  calls,
  type Envelope,
  isCallName,
  type ParsedRequest,
} from './contract/index.js'

export type Transport = 'ipc' | 'web' | 'cli'

export interface CallContext {
  transport: Transport
}

export type Handler<N extends CallName> = (
  request: ParsedRequest<N>,
  ctx: CallContext,
) => Promise<CallReply<N>> | CallReply<N>

export type HandlerMap = { [N in CallName]?: Handler<N> }

/**
 * The single entry point for every door (IPC, web host, CLI). Input is `unknown` until the
 * contract's schema has accepted it; handlers only ever see validated, typed requests.
 */
export class Router {
  constructor(
    private readonly handlers: HandlerMap,
    private readonly log: Logger,
  ) {}

  async dispatch(name: unknown, payload: unknown, ctx: CallContext): Promise<Envelope<unknown>> {
    if (!isCallName(name)) return { ok: false, error: unknownCall(name) }
    const handler = this.handlers[name] as Handler<CallName> | undefined
    if (!handler) return { ok: false, error: unknownCall(name) }

    const schema: z.ZodType = calls[name].request
    // zod compiles an object schema's parser (new Function) at its first parse, which pays off over
    // many calls; a CLI process makes a few, and the compiling cost its start-up (#17).
    const parsed = schema.safeParse(payload ?? {}, { jitless: ctx.transport === 'cli' })
    if (!parsed.success) return { ok: false, error: validationError(name, parsed.error) }

    try {
      const value = await handler(parsed.data as ParsedRequest<CallName>, ctx)
      return { ok: true, value }
    } catch (e) {
      if (!isAppError(e)) this.log.error({ err: e, call: name }, 'handler failed')
      return { ok: false, error: toEnvelope(e) }
    }
  }
}

function unknownCall(name: unknown): ErrorEnvelope {
  const shown = typeof name === 'string' ? name.slice(0, 80) : typeof name
  return new AppError('api.unknown_call', {
    en: `Unknown API call "${shown}".`,
    zh: `未知的 API 调用“${shown}”。`,
  }).toEnvelope()
}

function validationError(name: string, error: z.ZodError): ErrorEnvelope {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  const first = issues[0]
  const where = first?.path ? ` (${first.path}: ${first.message})` : first ? ` (${first.message})` : ''
  return new AppError(
    'api.invalid_request',
    {
      en: `Invalid request for ${name}${where}.`,
      zh: `${name} 的请求参数无效${where}。`,
    },
    { issues },
  ).toEnvelope()
}
