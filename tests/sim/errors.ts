/**
 * ZStack's ErrorCode as the REST server serialises it inside `{"error": ...}`: Gson without
 * serializeNulls (zstack-utils `JSONObjectUtil.toJsonString`, used by RestServer.sendResponse), so
 * null keys are left out: no `elaboration`/`opaque` here, no `cause` at the root of a chain.
 */
export interface ErrorCodeBody {
  code: string
  description: string
  details?: string
  cause?: ErrorCodeBody
}

export interface ErrorSpec {
  code: string
  description?: string
  details?: string
  cause?: ErrorSpec
}

const DESCRIPTIONS: Record<string, string> = {
  'ID.1000': 'Incorrect account name or password',
  'ID.1001': 'Session expired or invalid',
  'SYS.1000': 'An internal error happened in system',
  'SYS.1001': 'A message or a operation timeout',
  'SYS.1006': 'An operation failed',
  'SYS.1007': 'One or more API argument is invalid',
}

export function errorCode(spec: ErrorSpec): ErrorCodeBody {
  return {
    code: spec.code,
    description: spec.description ?? DESCRIPTIONS[spec.code] ?? 'An operation failed',
    ...(spec.details !== undefined ? { details: spec.details } : {}),
    ...(spec.cause ? { cause: errorCode(spec.cause) } : {}),
  }
}

/** Thrown by API implementations; becomes `503 {"error": ...}` (sync) or a failed job (async). */
export class SimApiError extends Error {
  constructor(readonly spec: ErrorSpec) {
    super(`${spec.code}: ${spec.details ?? spec.description ?? ''}`)
  }
}

/** Thrown where the real REST layer answers with a plain-text status (400/404/405/500). */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
  ) {
    super(text)
  }
}

export function argError(details: string): SimApiError {
  return new SimApiError({ code: 'SYS.1007', details })
}

export function notFound(resourceType: string, uuid: string): SimApiError {
  return argError(`invalid field[uuid], resource[uuid:${uuid}, type:${resourceType}] not found`)
}
