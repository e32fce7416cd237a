import type { ErrorEnvelope } from '../../../src-main/api/contract/index.js'
import { ApiError } from './api.js'

/** One level of a server's error chain (ZStack nests `cause` inside `error`). */
export interface CauseLink {
  code: string | null
  /** The server's words as they came (description and details). */
  text: string
  /** ZStack's generic text for the code, and the specific part, when the server sent them. */
  description: string | null
  details: string | null
}

/** Any failure as an envelope: API errors keep theirs; anything else becomes a local one. */
export function toEnvelope(e: unknown): ErrorEnvelope {
  if (e instanceof ApiError) return e.envelope
  const text = e instanceof Error ? e.message : String(e)
  return { code: 'renderer.unexpected', message: { en: text, zh: text } }
}

/**
 * The server's error and its cause chain carried in `details`: ZStack's ErrorCode looks like
 * `{code, description, details, cause: {...}}`; the ZStack client puts it under `details.error`.
 */
export function causeChain(envelope: ErrorEnvelope): CauseLink[] {
  const chain: CauseLink[] = []
  let node: unknown = envelope.details?.error ?? envelope.details?.cause
  while (isRecord(node) && chain.length < 10) {
    const code = typeof node.code === 'string' ? node.code : null
    const parts = [node.description, node.details].filter(
      (p): p is string => typeof p === 'string' && p !== '',
    )
    const text = parts.length > 0 ? parts.join(': ') : typeof node.message === 'string' ? node.message : ''
    const description = typeof node.description === 'string' && node.description ? node.description : null
    const details = typeof node.details === 'string' && node.details ? node.details : null
    if (code || text) chain.push({ code, text, description, details })
    node = node.cause
  }
  return chain
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}
