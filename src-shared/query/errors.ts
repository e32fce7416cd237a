import { AppError } from '../../src-main/errors/app-error.js'

/**
 * A query rejected before any request is sent (or, in the simulator, before any row is read).
 * `position` is the 0-based character index in the offending text where the problem starts.
 */
export function invalidQuery(
  text: string,
  position: number,
  problem: { en: string; zh: string },
  param = 'q',
): AppError {
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text
  return new AppError(
    'zstack.query.invalid',
    {
      en: `Invalid query parameter ${param}="${shown}" at character ${position + 1}: ${problem.en}`,
      zh: `查询参数 ${param}="${shown}" 第 ${position + 1} 个字符处无效：${problem.zh}`,
    },
    { param, text: shown, position },
  )
}
