/**
 * A query rejected before any request is sent (or, in the simulator, before any row is read).
 * Its shape is the app's AppError (`code`, `text` in both languages, `details`, `toEnvelope`), so
 * the main process treats it as one (`isAppError`); it lives here because this folder may not
 * import from the main process. `position` is the 0-based index in `text` where the problem starts.
 */
export class QueryError extends Error {
  readonly code = 'zstack.query.invalid'
  readonly text: { en: string; zh: string }
  readonly details: { param: string; text: string; position: number }

  constructor(text: { en: string; zh: string }, details: { param: string; text: string; position: number }) {
    super(`zstack.query.invalid: ${text.en}`)
    this.name = 'AppError'
    this.text = text
    this.details = details
  }

  toEnvelope(): { code: string; message: { en: string; zh: string }; details: Record<string, unknown> } {
    return { code: this.code, message: this.text, details: this.details }
  }
}

export function invalidQuery(
  text: string,
  position: number,
  problem: { en: string; zh: string },
  param = 'q',
): QueryError {
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text
  return new QueryError(
    {
      en: `Invalid query parameter ${param}="${shown}" at character ${position + 1}: ${problem.en}`,
      zh: `查询参数 ${param}="${shown}" 第 ${position + 1} 个字符处无效：${problem.zh}`,
    },
    { param, text: shown, position },
  )
}
