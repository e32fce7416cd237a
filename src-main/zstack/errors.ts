import { AppError } from '../errors/app-error.js'
import { redact } from '../errors/redact.js'

/** ZStack's ErrorCode as it arrives in `{"error": ...}`, cause chain included. */
export interface ZStackErrorCode {
  code: string
  description?: string | null
  details?: string | null
  elaboration?: string | null
  opaque?: unknown
  cause?: ZStackErrorCode | null
}

/** Where a failure happened, kept in every error's details for the UI and the log. */
export interface CallSite {
  api?: string
  method: string
  url: string
  jobUuid?: string
}

function site(where: CallSite): Record<string, unknown> {
  return { ...where, url: redact(where.url) }
}

/** A 503 with an ErrorCode: the operation failed on the node. The whole cause chain is kept. */
export function serverError(error: ZStackErrorCode, where: CallSite): AppError {
  const chain = causeChain(error)
  const root = chain.at(-1) ?? error
  const summary = redact(`${error.code}: ${error.details || error.description || 'no details'}`)
  const rootText =
    root === error ? '' : redact(` Root cause ${root.code}: ${root.details || root.description || ''}`)
  return new AppError(
    'zstack.server_error',
    {
      en: `The management node reported an error (${summary}).${rootText}`,
      zh: `管理节点返回错误（${summary}）。${rootText ? `根本原因 ${redact(`${root.code}: ${root.details || root.description || ''}`)}` : ''}`,
    },
    { ...site(where), serverCode: error.code, error: redactChain(error), causes: chain.map((c) => c.code) },
  )
}

export function causeChain(error: ZStackErrorCode): ZStackErrorCode[] {
  const out: ZStackErrorCode[] = []
  let cur = error.cause
  while (cur && out.length < 32) {
    out.push(cur)
    cur = cur.cause
  }
  return out
}

function redactChain(e: ZStackErrorCode): ZStackErrorCode {
  return {
    code: e.code,
    description: e.description == null ? null : redact(e.description),
    details: e.details == null ? null : redact(e.details),
    elaboration: e.elaboration == null ? null : redact(e.elaboration),
    cause: e.cause ? redactChain(e.cause) : null,
  }
}

export function loginFailed(where: CallSite, error: ZStackErrorCode): AppError {
  return new AppError(
    'zstack.login_failed',
    {
      en: 'The management node refused the account name or password.',
      zh: '管理节点拒绝了该账号名或密码。',
    },
    { ...site(where), serverCode: error.code, error: redactChain(error) },
  )
}

export function sessionExpired(where: CallSite): AppError {
  return new AppError(
    'zstack.session_expired',
    {
      en: 'The session with the management node expired again right after logging in anew; the call was not completed.',
      zh: '与管理节点的会话在重新登录后再次失效，调用未完成。',
    },
    site(where),
  )
}

/** Plain-text 400/404/405/500 from the REST layer, or another unexpected status. */
export function httpStatusError(status: number, body: string, where: CallSite): AppError {
  const text = redact(body.trim().slice(0, 500))
  const known: Record<number, [string, string, string]> = {
    400: [
      'zstack.bad_request',
      'The management node rejected the request as malformed',
      '管理节点认为请求格式错误',
    ],
    404: ['zstack.not_found', 'The management node does not know this URL', '管理节点不认识此 URL'],
    405: [
      'zstack.method_not_allowed',
      'The management node does not allow this HTTP method here',
      '管理节点不允许此 HTTP 方法',
    ],
    500: ['zstack.internal_error', 'The management node had an internal error', '管理节点发生内部错误'],
  }
  const [code, en, zh] = known[status] ?? [
    'zstack.unexpected_status',
    `The management node answered with unexpected HTTP status ${status}`,
    `管理节点返回了意外的 HTTP 状态码 ${status}`,
  ]
  const suffix = text ? `: ${text}` : ''
  return new AppError(
    code,
    { en: `${en}${suffix}`, zh: `${zh}${suffix}` },
    { ...site(where), status, body: text },
  )
}

export function jobExpired(where: CallSite): AppError {
  return new AppError(
    'zstack.job_expired',
    {
      en: 'The management node no longer knows this job (its result expired or the polling address is wrong). Whether it succeeded is unknown: check the resource itself.',
      zh: '管理节点已不再保存此任务（结果已过期或轮询地址错误），无法得知其是否成功：请直接检查相关资源。',
    },
    site(where),
  )
}

/** A job left `sending` (the app stopped mid-send) whose id the node does not know: it never arrived. */
export function jobNotReceived(where: CallSite): AppError {
  return new AppError(
    'zstack.job_not_received',
    {
      en: 'The management node never received this request (it does not know the job id the app sent it under), so nothing was done. Start it again if it is still wanted.',
      zh: '管理节点从未收到此请求（它不认识应用发送时使用的任务 ID），因此没有执行任何操作。如仍需要，请重新发起。',
    },
    site(where),
  )
}

export function malformedReply(status: number, body: string, where: CallSite): AppError {
  return new AppError(
    'zstack.malformed_reply',
    {
      en: `The management node sent a reply that is not valid JSON (HTTP ${status}); it may have been cut off.`,
      zh: `管理节点返回的内容不是有效的 JSON（HTTP ${status}），可能被截断。`,
    },
    { ...site(where), status, bodyStart: redact(body.slice(0, 200)) },
  )
}

export function timeoutError(where: CallSite, ms: number, asyncJob: boolean): AppError {
  const more = asyncJob
    ? {
        en: ' The job may still be running on the node; it can be re-attached from the job list.',
        zh: '该任务可能仍在管理节点上运行，可在任务列表中重新关联。',
      }
    : { en: '', zh: '' }
  return new AppError(
    'zstack.timeout',
    {
      en: `No answer from the management node within ${Math.round(ms / 1000)} s.${more.en}`,
      zh: `管理节点在 ${Math.round(ms / 1000)} 秒内没有响应。${more.zh}`,
    },
    { ...site(where), timeoutMs: ms },
  )
}

export function cancelled(where: CallSite): AppError {
  const text = where.jobUuid
    ? {
        en: 'Stopped waiting for the job. The management node may still be running it; it can be re-attached from the job list.',
        zh: '已停止等待该任务。管理节点可能仍在执行它，可在任务列表中重新关联。',
      }
    : { en: "Stopped waiting for the management node's answer.", zh: '已停止等待管理节点的响应。' }
  return new AppError('zstack.cancelled', text, site(where))
}

/**
 * Why a wait ended early: time ran out (an `AbortSignal.timeout`, whose reason is a TimeoutError)
 * is a timeout, so callers can fall back as for a slow node; anything else is the caller's cancel.
 */
export function abortError(where: CallSite, signal: AbortSignal, startedAt: number): AppError {
  const reason: unknown = signal.reason
  return reason instanceof DOMException && reason.name === 'TimeoutError'
    ? timeoutError(where, Date.now() - startedAt, Boolean(where.jobUuid))
    : cancelled(where)
}

/** The request may or may not have reached the node; the client never resends a non-idempotent call. */
export function outcomeUnknown(where: CallSite, cause: AppError): AppError {
  return new AppError(
    'zstack.outcome_unknown',
    {
      en: `The connection failed while sending the request (${cause.text.en}) It is not known whether the management node received it; it was not sent again. Check the resource before retrying.`,
      zh: `发送请求时连接失败（${cause.text.zh}）。无法确定管理节点是否已收到，未重复发送。重试前请先检查相关资源。`,
    },
    { ...site(where), transportCode: cause.code },
  )
}

export function notConnected(connectionId: string): AppError {
  return new AppError(
    'zstack.not_connected',
    {
      en: `There is no open connection "${connectionId}" to a management node. Connect first.`,
      zh: `没有名为“${connectionId}”的管理节点连接，请先连接。`,
    },
    { connectionId },
  )
}

export function jobRefusedSession(where: CallSite): AppError {
  return new AppError(
    'zstack.session_expired',
    {
      en: 'The management node refused this job because the session had expired; the job did not run. Start it again.',
      zh: '管理节点因会话已过期拒绝了此任务，任务未执行。请重新发起。',
    },
    site(where),
  )
}
