import { QueryError } from '../../src-shared/query/errors.js'
import { redact, scrubDetails } from './redact.js'

/**
 * The one error type that crosses the API boundary. Services throw it with a stable `code`
 * and a message in both languages; the router turns it into an envelope. Anything else that
 * escapes a handler becomes `internal` with no stack trace and no original text (it may hold a secret).
 */
export interface LocalizedText {
  en: string
  zh: string
}

export type ErrorDetails = Record<string, unknown>

export interface ErrorEnvelope {
  code: string
  message: LocalizedText
  details?: ErrorDetails
}

export class AppError extends Error {
  readonly code: string
  readonly text: LocalizedText
  readonly details: ErrorDetails | undefined

  constructor(code: string, text: LocalizedText, details?: ErrorDetails, options?: { cause?: unknown }) {
    // Whatever a server sent that ended up in the text or details, no known secret leaves here.
    const safe = { en: redact(text.en), zh: redact(text.zh) }
    super(`${code}: ${safe.en}`, options)
    this.name = 'AppError'
    this.code = code
    this.text = safe
    this.details = details === undefined ? undefined : scrubDetails(details)
  }

  toEnvelope(): ErrorEnvelope {
    return this.details === undefined
      ? { code: this.code, message: this.text }
      : { code: this.code, message: this.text, details: this.details }
  }
}

/** Query errors come from `src-shared/query` (run by both processes) with the same shape. */
export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError || e instanceof QueryError
}

/** The envelope for an error that was not raised on purpose. Its text is never forwarded. */
export function internalErrorEnvelope(): ErrorEnvelope {
  return {
    code: 'internal',
    message: {
      en: 'An internal error occurred. The details are in the application log.',
      zh: '发生内部错误，详情见应用日志。',
    },
  }
}

export function toEnvelope(e: unknown): ErrorEnvelope {
  return isAppError(e) ? e.toEnvelope() : internalErrorEnvelope()
}
