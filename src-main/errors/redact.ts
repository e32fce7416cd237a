/**
 * Secret scrubbing for any text that may leave the process (logs, reports, error details, CLI output).
 * Secrets are registered as they enter (a password typed, a session id received), and every outgoing
 * text passes through `redact`. URL userinfo passwords are removed even when never registered.
 */
const known = new Set<string>()
const MIN_SECRET_LENGTH = 4

export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= MIN_SECRET_LENGTH) known.add(secret)
}

export function forgetSecret(secret: string): void {
  known.delete(secret)
}

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]+):([^@/?#\s]*)@/gi

export function redact(text: string): string {
  let out = text.replace(URL_PASSWORD, '$1:***@')
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join('***')
  }
  return out
}

/** Deep copy of a JSON-like value with every string redacted. */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map(redactValue) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v)
    return out as T
  }
  return value
}

/** Detail fields that hold a secret by their very name, whatever their value looks like. */
const SECRET_FIELD =
  /^(password|passwd|passphrase|secret|token|session(id|uuid)?|authorization|cookie|private_?key)$/i

/**
 * Error details as they may leave the process: fields named for a secret are masked, and every
 * string is redacted. AppError applies it to every details object, so no call site can forget.
 */
export function scrubDetails<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map(scrubDetails) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? '***' : scrubDetails(v)
    return out as T
  }
  return value
}
