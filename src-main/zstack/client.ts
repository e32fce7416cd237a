import { createHash, randomUUID } from 'node:crypto'
import { AppError } from '../errors/app-error.js'
import { forgetSecret, registerSecret } from '../errors/redact.js'
import type { Logger } from '../log/logger.js'
import type { Endpoint } from './endpoint.js'
import {
  abortError,
  type CallSite,
  httpStatusError,
  jobExpired,
  jobNotReceived,
  jobRefusedSession,
  loginFailed,
  malformedReply,
  outcomeUnknown,
  serverError,
  sessionExpired,
  timeoutError,
  type ZStackErrorCode,
} from './errors.js'
import type { JobRecorder } from './jobs/job-repository.js'
import { deliveryOf, type HttpRequest, type HttpResponse, httpRequest } from './transport.js'
import type { WebhookDelivery, WebhookReceiver } from './webhook-receiver.js'

export interface SessionInfo {
  uuid: string
  accountUuid: string
  userUuid: string
  expiredDate: string
  createDate: string
}

export interface PollPolicy {
  initialMs: number
  maxMs: number
  factor: number
}

export interface ZStackClientOptions {
  endpoint: Endpoint
  accountName: string
  /** Asked each time a login is needed; the client never stores the password. */
  password: () => string | Promise<string>
  connectionId?: string | null
  /** One HTTP exchange. Default 30 s. */
  requestTimeoutMs?: number
  /** Whole async call (send + polling). Default 1 h. */
  callTimeoutMs?: number
  poll?: Partial<PollPolicy>
  insecureTls?: boolean
  jobs?: JobRecorder
  webhook?: WebhookReceiver
  log?: Logger
}

export interface CallOptions {
  timeoutMs?: number
  signal?: AbortSignal
}

/** The session id in a login reply (`{"inventory":{"uuid":"…"`), whole or cut short. */
const LOGIN_SESSION_ID = /"uuid"\s*:\s*"([^"]*)/

/** An async API call: method, path under the context root, JSON body, and what it acts on. */
export interface AsyncCall {
  api: string
  method: 'POST' | 'PUT' | 'DELETE'
  /** Under `/zstack`, query string included: `/v1/volume-backups/<uuid>?deleteMode=Permissive`. */
  path: string
  body?: unknown
  targetUuid?: string | null
}

export interface AttachTarget {
  jobUuid: string
  api: string
  /**
   * The node never confirmed receiving it (the app stopped mid-send), and it is younger than the
   * node keeps jobs: a 404 then means it never arrived rather than that its result expired.
   */
  unconfirmed?: boolean
}

/** Session state shared by the clients of one connection (see withRecorder). */
interface SharedSession {
  session: SessionInfo | null
  loggingIn: Promise<SessionInfo> | null
}

/** Raised inside a call when the node says ID.1001; the caller logs in again once. */
class SessionInvalid extends Error {}

/** Abort reason meaning "the app is closing", not "the user stopped waiting". */
export const SHUTDOWN = 'zsdr-shutdown'

/** One HTTP exchange's limit when the options give none. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

const DEFAULT_POLL: PollPolicy = { initialMs: 200, maxMs: 3000, factor: 1.5 }

/**
 * The REST client for one management node and account: login/logout, sync GETs, async calls
 * with X-Job-UUID and polling (webhook optional), typed errors for every failure.
 */
export class ZStackClient {
  readonly endpoint: Endpoint
  private readonly poll: PollPolicy

  constructor(
    private readonly options: ZStackClientOptions,
    private readonly shared: SharedSession = { session: null, loggingIn: null },
  ) {
    this.endpoint = options.endpoint
    this.poll = { ...DEFAULT_POLL, ...options.poll }
  }

  /** The same node, account and session, reporting jobs to another recorder. */
  withRecorder(jobs: JobRecorder): ZStackClient {
    return new ZStackClient({ ...this.options, jobs }, this.shared)
  }

  get sessionInfo(): SessionInfo | null {
    return this.shared.session
  }

  private get session(): SessionInfo | null {
    return this.shared.session
  }

  private set session(s: SessionInfo | null) {
    this.shared.session = s
  }

  /** `PUT /v1/accounts/login` with the SHA-512 hex digest of the password. */
  async login(signal?: AbortSignal): Promise<SessionInfo> {
    this.shared.loggingIn ??= this.doLogin(signal).finally(() => {
      this.shared.loggingIn = null
    })
    return this.shared.loggingIn
  }

  private async doLogin(signal?: AbortSignal): Promise<SessionInfo> {
    const password = await this.options.password()
    const digest = createHash('sha512').update(password).digest('hex')
    registerSecret(password)
    registerSecret(digest)
    const where = this.site('PUT', '/v1/accounts/login', 'LogInByAccount')
    const res = await this.send(
      {
        method: 'PUT',
        url: where.url,
        body: JSON.stringify({ logInByAccount: { accountName: this.options.accountName, password: digest } }),
        signal,
      },
      where,
    )
    // The session id is a secret from the moment it arrives, even in a reply cut short that never parses.
    registerSecret(LOGIN_SESSION_ID.exec(res.body)?.[1])
    if (res.status === 503) throw loginFailed(where, this.errorBody(res, where))
    const body = this.json<{ inventory?: SessionInfo }>(res, where)
    if (res.status !== 200 || !body.inventory?.uuid) throw httpStatusError(res.status, res.body, where)
    if (this.session) forgetSecret(this.session.uuid)
    registerSecret(body.inventory.uuid)
    this.session = body.inventory
    return body.inventory
  }

  /** `DELETE /v1/accounts/sessions/{uuid}`; a no-op without a session. */
  async logout(): Promise<void> {
    const s = this.session
    if (!s) return
    this.session = null
    const where = this.site('DELETE', `/v1/accounts/sessions/${s.uuid}`, 'LogOut')
    try {
      const res = await this.send({ method: 'DELETE', url: where.url }, where)
      if (res.status !== 200) throw this.failure(res, where)
    } finally {
      forgetSecret(s.uuid)
    }
  }

  /** `GET /v1/accounts/sessions/{uuid}/valid`. False when there is no session. */
  async isSessionValid(): Promise<boolean> {
    const s = this.session
    if (!s) return false
    const where = this.site('GET', `/v1/accounts/sessions/${s.uuid}/valid`, 'ValidateSession')
    const res = await this.send({ method: 'GET', url: where.url }, where)
    if (res.status !== 200) throw this.failure(res, where)
    return this.json<{ valid?: boolean }>(res, where).valid === true
  }

  /** A sync API (all GETs): 200 + result, or 503 + error. Re-logs in once on ID.1001. */
  async get<T>(path: string, api: string, options: CallOptions = {}): Promise<T> {
    const { res, where } = await this.getOk(path, api, options)
    return this.json<T>(res, where)
  }

  /**
   * As `get`, but the 200 body is returned unparsed: a big answer can then be parsed off the main
   * thread (the cache's worker). An empty body is `{}`, as `get` reads it.
   */
  async getText(path: string, api: string, options: CallOptions = {}): Promise<string> {
    const { res } = await this.getOk(path, api, options)
    return res.body.trim() === '' ? '{}' : res.body
  }

  private getOk(
    path: string,
    api: string,
    options: CallOptions,
  ): Promise<{ res: HttpResponse; where: CallSite }> {
    return this.withSession(async (session) => {
      const where = this.site('GET', path, api)
      const res = await this.send(
        { method: 'GET', url: where.url, headers: auth(session), signal: options.signal },
        where,
        options.timeoutMs,
      )
      if (res.status === 200) return { res, where }
      throw this.failure(res, where)
    }, options.signal)
  }

  /**
   * An async API: sends once with a fresh X-Job-UUID, records the job, then polls its location
   * (and listens for the webhook when one is configured) until a result, an error, the timeout
   * or cancellation. On ID.1001 (the node refused the session before running anything) it logs in
   * again and sends the call once more under a new job id.
   */
  async call<T>(call: AsyncCall, options: CallOptions = {}): Promise<T> {
    const deadline = this.deadline(options)
    return this.withSession(
      (session) => this.sendAndWait<T>(call, session, deadline, options),
      options.signal,
    )
  }

  /** Waits for a job this app started earlier (e.g. before a restart), by polling its id. */
  async attach<T>(target: AttachTarget, options: CallOptions = {}): Promise<T> {
    const deadline = this.deadline(options)
    this.options.jobs?.update(target.jobUuid, { state: 'running' })
    try {
      return await this.waitForJob<T>(
        target.api,
        target.jobUuid,
        deadline,
        options.signal,
        target.unconfirmed,
      )
    } catch (e) {
      // Nothing to resend here (the body is not kept): the job was refused and did not run.
      if (e instanceof SessionInvalid)
        throw jobRefusedSession({ ...this.site('GET', '/v1/api-jobs', target.api), jobUuid: target.jobUuid })
      throw e
    }
  }

  private deadline(options: CallOptions): { at: number; ms: number } {
    const ms = options.timeoutMs ?? this.options.callTimeoutMs ?? 3_600_000
    return { at: Date.now() + ms, ms }
  }

  private async sendAndWait<T>(
    call: AsyncCall,
    session: string,
    deadline: { at: number; ms: number },
    options: CallOptions,
  ): Promise<T> {
    const jobUuid = randomUUID().replaceAll('-', '')
    const where = { ...this.site(call.method, call.path, call.api), jobUuid }
    const jobs = this.options.jobs
    jobs?.started({
      jobUuid,
      connectionId: this.options.connectionId ?? null,
      endpoint: this.endpoint.baseUrl,
      api: call.api,
      method: call.method,
      path: call.path,
      targetUuid: call.targetUuid ?? null,
    })
    const headers: Record<string, string> = { ...auth(session), 'X-Job-UUID': jobUuid }
    const hook = this.options.webhook
    if (hook) {
      headers['X-Web-Hook'] = await hook.start()
      hook.expect(jobUuid)
    }
    let res: HttpResponse
    try {
      res = await this.send(
        {
          method: call.method,
          url: where.url,
          headers,
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          signal: options.signal,
        },
        where,
        Math.min(this.requestTimeout, Math.max(1, deadline.at - Date.now())),
      )
    } catch (e) {
      // Never resend: if the request may have arrived, say so and let the engineer check.
      const error = deliveryOf(e) === 'unknown' && e instanceof AppError ? outcomeUnknown(where, e) : e
      jobs?.update(jobUuid, {
        state: deliveryOf(e) === 'unknown' ? 'unknown' : 'failed',
        error: error instanceof AppError ? error.toEnvelope() : undefined,
      })
      throw error
    }
    if (res.status === 202) {
      let location: string | undefined
      try {
        location = this.json<{ location?: string }>(res, where).location
        if (!location) throw malformedReply(res.status, res.body, where)
      } catch (e) {
        // Accepted but unreadable: the job exists on the node, so it stays pollable by its id.
        jobs?.update(jobUuid, {
          state: 'detached',
          error: e instanceof AppError ? e.toEnvelope() : undefined,
        })
        throw e
      }
      jobs?.update(jobUuid, { state: 'running', location })
      return this.waitForJob<T>(call.api, jobUuid, deadline, options.signal)
    }
    // Some failures come back at once instead of through the job (bad header, bad JSON, expired session).
    const error = this.failure(res, where)
    if (error instanceof SessionInvalid) {
      jobs?.update(jobUuid, { state: 'failed', error: sessionExpired(where).toEnvelope() })
      throw error
    }
    jobs?.update(jobUuid, { state: 'failed', error: error.toEnvelope() })
    throw error
  }

  /** Polls `/v1/api-jobs/<uuid>` with backoff; a webhook delivery ends the wait early. */
  private async waitForJob<T>(
    api: string,
    jobUuid: string,
    deadline: { at: number; ms: number },
    signal?: AbortSignal,
    unconfirmed = false,
  ): Promise<T> {
    // The location's host is the node's own idea of its address (the manual shows localhost:8989);
    // poll through the address we reach the node at instead.
    const where: CallSite = { ...this.site('GET', `/v1/api-jobs/${jobUuid}`, api), jobUuid }
    const jobs = this.options.jobs
    const hook = this.options.webhook?.wait(jobUuid)
    let delivered: WebhookDelivery | null = null
    void hook?.promise.then((d) => {
      delivered = d
    })
    let delay = this.poll.initialMs
    const startedAt = Date.now()
    try {
      for (;;) {
        if (signal?.aborted) throw abortError(where, signal, startedAt)
        if (Date.now() >= deadline.at) throw timeoutError(where, deadline.ms, true)
        let res: HttpResponse | null = null
        if (delivered) {
          const d: WebhookDelivery = delivered
          res = { status: d.success ? 200 : 503, headers: {}, body: d.body }
        } else {
          try {
            res = await this.send(
              { method: 'GET', url: where.url, signal },
              where,
              Math.min(this.requestTimeout, Math.max(1, deadline.at - Date.now())),
            )
          } catch (e) {
            if (e instanceof AppError && e.code === 'zstack.cancelled') throw e
            // Polling is idempotent: a network error only means "ask again".
            this.options.log?.warn(
              { jobUuid, code: e instanceof AppError ? e.code : 'unknown' },
              'poll failed; retrying',
            )
          }
        }
        if (res && res.status !== 202) {
          if (res.status === 200) {
            const result = res.body.trim() === '' ? ({} as T) : this.json<T>(res, where)
            jobs?.update(jobUuid, { state: 'succeeded', result })
            return result
          }
          if (res.status === 404) {
            const error = unconfirmed ? jobNotReceived(where) : jobExpired(where)
            jobs?.update(jobUuid, { state: unconfirmed ? 'failed' : 'expired', error: error.toEnvelope() })
            throw error
          }
          const error = this.failure(res, where)
          jobs?.update(jobUuid, {
            state: 'failed',
            error: error instanceof SessionInvalid ? sessionExpired(where).toEnvelope() : error.toEnvelope(),
          })
          throw error
        }
        await this.pause(delay, deadline.at, signal, hook?.promise)
        delay = Math.min(this.poll.maxMs, Math.round(delay * this.poll.factor))
      }
    } catch (e) {
      // At app shutdown the job stays `running` so the next start re-attaches to it.
      const shutdown = signal?.aborted && signal.reason === SHUTDOWN
      if (
        !shutdown &&
        e instanceof AppError &&
        (e.code === 'zstack.cancelled' || e.code === 'zstack.timeout')
      ) {
        jobs?.update(jobUuid, { state: 'detached', error: e.toEnvelope() })
      }
      throw e
    } finally {
      hook?.cancel()
    }
  }

  private pause(ms: number, deadline: number, signal?: AbortSignal, wake?: Promise<unknown>): Promise<void> {
    const wait = Math.max(0, Math.min(ms, deadline - Date.now()))
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, wait)
      signal?.addEventListener('abort', done, { once: true })
      void wake?.then(done)
    })
  }

  /** Runs `fn` with a session; on ID.1001 logs in again and runs it once more. */
  private async withSession<T>(fn: (session: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const first = this.session ?? (await this.login(signal))
    try {
      return await fn(first.uuid)
    } catch (e) {
      if (!(e instanceof SessionInvalid)) throw e
      this.options.log?.info({ endpoint: this.endpoint.baseUrl }, 'session invalid; logging in again once')
      if (this.session?.uuid === first.uuid) this.session = null
      const second = this.session ?? (await this.login(signal))
      try {
        return await fn(second.uuid)
      } catch (again) {
        if (again instanceof SessionInvalid) throw sessionExpired(this.site('GET', '/v1', 'session'))
        throw again
      }
    }
  }

  private get requestTimeout(): number {
    return this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  }

  private send(
    req: Omit<HttpRequest, 'timeoutMs'>,
    where: CallSite,
    timeoutMs?: number,
  ): Promise<HttpResponse> {
    return httpRequest(
      { ...req, timeoutMs: timeoutMs ?? this.requestTimeout, insecureTls: this.options.insecureTls },
      where,
    )
  }

  private site(method: string, path: string, api: string): CallSite {
    return { api, method, url: `${this.endpoint.baseUrl}${path}` }
  }

  private json<T>(res: HttpResponse, where: CallSite): T {
    if (res.body.trim() === '') return {} as T
    try {
      return JSON.parse(res.body) as T
    } catch {
      throw malformedReply(res.status, res.body, where)
    }
  }

  private errorBody(res: HttpResponse, where: CallSite): ZStackErrorCode {
    const body = this.json<{ error?: ZStackErrorCode }>(res, where)
    if (!body.error || typeof body.error.code !== 'string') throw malformedReply(res.status, res.body, where)
    return body.error
  }

  /** A non-success answer as an error; ID.1001 becomes SessionInvalid for withSession. */
  private failure(res: HttpResponse, where: CallSite): AppError | SessionInvalid {
    if (res.status === 503) {
      const error = this.errorBody(res, where)
      if (error.code === 'ID.1001') return new SessionInvalid()
      return serverError(error, where)
    }
    return httpStatusError(res.status, res.body, where)
  }
}

function auth(session: string): Record<string, string> {
  return { Authorization: `OAuth ${session}` }
}
