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

/**
 * `defineCall<Reply>()(() => requestSchema)`: two steps so the reply type is explicit and the
 * request inferred. The schema is built on its first use, not when the contract is imported: a
 * CLI process dispatches a few calls, and building every call's schema cost its start-up (#17).
 */
export function defineCall<Rep>() {
  return <Req extends z.ZodType>(build: () => Req): CallSpec<Req, Rep> => {
    let request: Req | undefined
    return {
      get request() {
        request ??= build()
        return request
      },
    }
  }
}

export function defineEvent<P>(): EventSpec<P> {
  return {}
}
