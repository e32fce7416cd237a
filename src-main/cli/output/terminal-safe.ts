/**
 * Text from another machine (file names, server messages, zstcli output, log lines) must never
 * reach the terminal as control: an ESC sequence can retitle the window, clear the screen, move
 * the cursor over earlier lines or, on some terminals, write files. Every control character is
 * shown as a visible escape instead (`\x1B`, `\x07`, `\u202E`): nothing is lost, nothing runs.
 */

// C1 controls (U+0080–U+009F: U+009B is a one-character CSI on some terminals), DEL, and the
// bidirectional overrides that can make text read differently from what it is.
const BEYOND_C0 = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069'
const CONTROL = new RegExp(`[\\u0000-\\u001f${BEYOND_C0}]`, 'gu')
/** Keeps tab (U+0009) and line feed (U+000A). */
const CONTROL_BUT_LINES = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f${BEYOND_C0}]`, 'gu')
/** What `JSON.stringify` leaves raw inside strings (it escapes C0 itself). */
const RAW_IN_JSON = new RegExp(`[${BEYOND_C0}]`, 'gu')

function visible(c: string): string {
  const code = c.codePointAt(0) ?? 0
  return code <= 0xff
    ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
    : `\\u${code.toString(16).toUpperCase()}`
}

/** One cell or one line: every control character, newlines and tabs too, made visible. */
export function safeText(text: string): string {
  return text.replace(CONTROL, visible)
}

/** A whole block of output: line breaks and tabs stay, every other control is made visible. */
export function safeBlock(text: string): string {
  return text.replace(CONTROL_BUT_LINES, visible)
}

/**
 * JSON that a terminal may show: `JSON.stringify` already escapes C0 controls; the rest
 * (DEL, C1, bidi overrides) are escaped as `\uXXXX` too, so the document parses to the same data.
 */
export function safeJson(value: unknown, indent?: number): string {
  return safeJsonText(JSON.stringify(value, null, indent))
}

/** The same for JSON text serialized elsewhere (the logger's lines). */
export function safeJsonText(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
}
