import type { z } from 'zod'

/**
 * Building blocks of the API contract. A call has a request schema (checked at runtime by the
 * router before any handler runs) and a reply type (compile time only). An event stream has a
 * payload type. The renderer imports this contract with `import type` only.
 */
export interface CallSpec<Req extends z.ZodType, Rep> {
  readonly request: Req
  /** Phantom: carries the reply type, never set at runtime. */
  readonly replyType?: { readonly value: Rep }
}

export interface EventSpec<P> {
  /** Phantom: carries the payload type, never set at runtime. */
  readonly payloadType?: { readonly value: P }
}

/** `defineCall<Reply>()(requestSchema)`: two steps so the reply type is explicit and the request inferred. */
export function defineCall<Rep>() {
  return <Req extends z.ZodType>(request: Req): CallSpec<Req, Rep> => ({ request })
}

export function defineEvent<P>(): EventSpec<P> {
  return {}
}
