import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isAppError } from '../../src-main/errors/app-error.js'
import { buildRoutes } from './apis.js'
import { type ErrorSpec, errorCode, SimApiError, SimHttpError } from './errors.js'
import { type Fault, FaultInjector } from './faults.js'
import { gsonDate, wholeSeconds } from './gson.js'
import { newUuid } from './ids.js'
import { JobStore } from './jobs.js'
import { LogStreams } from './log-streams.js'
import { QueryEngine } from './query-engine.js'
import { type ApiContext, type CompiledRoute, matchPath } from './route.js'
import { type SeedName, seedState } from './seed.js'
import { Sessions } from './sessions.js'
import { SimState } from './state.js'
import { WebhookSender } from './webhooks.js'

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number
  seed?: SeedName
  /** Idle time after which a session is invalid (ID.1001). Default 7200 s. */
  sessionTtlSeconds?: number
  /** How long an async job runs before its result is ready. Default 300 ms. */
  jobLatencyMs?: number
  /** How long after its creation a finished job is deleted (404). Default 10800 s (rest.xml). */
  jobTtlMs?: number
  /** Attempts to deliver a webhook in all. Default 15 (RestServer.callWebHook). */
  webhookAttempts?: number
  webhookIntervalMs?: number
  logLineIntervalMs?: number
}

export interface RecordedRequest {
  method: string
  path: string
  /** The query string as sent (`?q=...`), '' without one. */
  search: string
  jobUuid: string | null
  at: number
}

export interface Simulator {
  /** `http://127.0.0.1:<port>/zstack` */
  baseUrl: string
  port: number
  state: SimState
  sessions: Sessions
  jobs: JobStore
  faults: FaultInjector
  webhooks: WebhookSender
  /** The restore-log ports (taillog-like: one connection each, never ending). */
  logStreams: LogStreams
  /** Every request received, in order (tests use it to prove a call was sent once). */
  requests: RecordedRequest[]
  /** Moves the node's clock forward (session and job expiry, scheduled jobs run) without waiting. */
  advanceClock(ms: number): void
  close(): Promise<void>
}

export const ADMIN_ACCOUNT = 'admin'
export const ADMIN_PASSWORD = 'password'
const ADMIN_DIGEST = createHash('sha512').update(ADMIN_PASSWORD).digest('hex')

/** A ZStack 3.0.0 management node's REST API on 127.0.0.1, faithful to the spec digest. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  let skew = 0
  const now = () => Date.now() + skew
  const state = new SimState()
  seedState(state, options.seed ?? 'demo')
  const sessions = new Sessions((options.sessionTtlSeconds ?? 7200) * 1000, now)
  const jobs = new JobStore(options.jobTtlMs ?? 10_800_000, now)
  const faults = new FaultInjector()
  const webhooks = new WebhookSender({
    attempts: options.webhookAttempts ?? 15,
    intervalMs: options.webhookIntervalMs ?? 2000,
  })
  const logStreams = new LogStreams({ lineIntervalMs: options.logLineIntervalMs ?? 200 })
  const queries = new QueryEngine(state)
  const routes = buildRoutes(state)
  const latency = options.jobLatencyMs ?? 300
  const requests: RecordedRequest[] = []
  let baseUrl = ''

  const node: Node = {
    state,
    sessions,
    jobs,
    faults,
    webhooks,
    routes,
    latency,
    now,
    location: (uuid) => `${baseUrl}/v1/api-jobs/${uuid}`,
    context: (partial) => ({
      ...partial,
      state,
      queries,
      logStreams,
      now: () => wholeSeconds(now()),
      work: () => sleep(latency),
    }),
  }

  const server = createServer((req, res) => {
    handle(node, req, res, requests).catch((e: unknown) => {
      if (!res.headersSent)
        text(res, 500, `Internal Server Error: ${e instanceof Error ? e.message : String(e)}`)
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const port = (server.address() as AddressInfo).port
  baseUrl = `http://127.0.0.1:${port}/zstack`
  return {
    baseUrl,
    port,
    state,
    sessions,
    jobs,
    faults,
    webhooks,
    logStreams,
    requests,
    advanceClock(ms) {
      skew += ms
      state.scheduler.runUntil(now())
    },
    async close() {
      webhooks.close()
      logStreams.closeAll()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

interface Node {
  state: SimState
  sessions: Sessions
  jobs: JobStore
  faults: FaultInjector
  webhooks: WebhookSender
  routes: CompiledRoute[]
  latency: number
  now(): number
  location(jobUuid: string): string
  context(partial: Pick<ApiContext, 'path' | 'query' | 'args' | 'systemTags' | 'userTags'>): ApiContext
}

async function handle(node: Node, req: IncomingMessage, res: ServerResponse, log: RecordedRequest[]) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const method = (req.method ?? 'GET').toUpperCase()
  const jobHeader = header(req, 'x-job-uuid')
  log.push({ method, path: url.pathname, search: url.search, jobUuid: jobHeader, at: node.now() })
  const raw = await readBody(req)
  if (!url.pathname.startsWith('/zstack/')) return text(res, 404, `no such path: ${url.pathname}`)
  const path = url.pathname.slice('/zstack'.length)

  const fault = node.faults.take(method, path)
  if (fault?.kind === 'drop') return void req.socket.destroy()
  if (fault?.kind === 'slow') await sleep(fault.delayMs)
  if (fault?.kind === 'lateReply') holdReply(res, fault.delayMs)
  if (fault?.kind === 'error500') return text(res, 500, 'Internal Server Error: injected fault')
  if (fault?.kind === 'malformed') return send(res, 200, '{"inventories": [{"uuid": "', 'application/json')

  const poll = /^\/v1\/api-jobs\/([^/]+)\/?$/.exec(path)
  if (poll) return pollJob(node, method, poll[1]!, fault, res)
  // One API per path: it runs whatever the method (RestServer.handleUniqueApi).
  if (path === '/v1/accounts/login') return login(node, raw, fault, res)
  const sessionPath = /^\/v1\/accounts\/sessions\/([^/]+)(\/valid)?\/?$/.exec(path)
  if (sessionPath) return sessionCall(node, sessionPath[1]!, sessionPath[2] !== undefined, fault, res)

  const byPath = node.routes.filter((r) => matchPath(r, path) !== null)
  if (byPath.length === 0) return text(res, 404, `no api mapping to ${path}`)
  // RestServer.handleUniqueApi/handleNonUniqueApi read the body as JSON first: anything else is a 500.
  const body = jsonObject(raw)
  if (body === null) return text(res, 500, 'Expected BEGIN_OBJECT: the body is not a JSON object')
  const route = chooseRoute(byPath, method, body, path)
  if (route instanceof SimHttpError) return text(res, route.status, route.text)

  const auth = header(req, 'authorization')
  if (auth === null) return text(res, 400, "missing header 'Authorization'")
  const oauth = /^OAuth (\S+)$/.exec(auth.trim())
  if (!oauth) return text(res, 400, "Authorization type must be 'OAuth'")
  if (jobHeader !== null && jobHeader.length !== 32) {
    return text(res, 400, "Invalid header[X-Job-UUID], it must be a UUID with '-' stripped")
  }
  // GET and DELETE carry their parameters in the query string; the others in the body's key.
  const fromBody = route.bodyKey !== undefined && method !== 'GET' && method !== 'DELETE'
  const args = fromBody ? (body[route.bodyKey!] ?? {}) : {}
  if (!args || typeof args !== 'object' || Array.isArray(args)) {
    return text(res, 400, `the field[${route.bodyKey}] of the body must be a JSON object`)
  }
  const tags = (k: string) => (Array.isArray(body[k]) ? (body[k] as unknown[]).map(String) : [])
  const ctx = node.context({
    path: matchPath(route, path)!,
    query: url.searchParams,
    args: args as Record<string, unknown>,
    systemTags: tags('systemTags'),
    userTags: tags('userTags'),
  })
  const session = oauth[1]!
  // Sync or async is the API's kind (APISyncCallMessage), not the request's method.
  if (route.method === 'GET') return syncCall(node, route, ctx, session, fault, res)
  return asyncCall(node, route, ctx, session, jobHeader, header(req, 'x-web-hook'), fault, res)
}

async function syncCall(
  node: Node,
  route: CompiledRoute,
  ctx: ApiContext,
  session: string,
  fault: Fault | null,
  res: ServerResponse,
) {
  if (!node.sessions.use(session)) return failure(res, sessionError(session))
  if (fault?.kind === 'error503') return failure(res, fault.error)
  try {
    const result = await route.run(ctx)
    return json(res, 200, result)
  } catch (e) {
    return replyError(res, e)
  }
}

async function asyncCall(
  node: Node,
  route: CompiledRoute,
  ctx: ApiContext,
  session: string,
  jobHeader: string | null,
  webhook: string | null,
  fault: Fault | null,
  res: ServerResponse,
) {
  const jobUuid = jobHeader ?? newUuid()
  // The same X-Job-UUID twice names the same job: the node answers with its location and runs nothing.
  if (node.jobs.get(jobUuid)) return json(res, 202, { location: node.location(jobUuid) })
  const job = node.jobs.create(jobUuid, route.api, webhook)
  const finish = (status: 200 | 503, body: string) => {
    node.jobs.finish(job, status, body)
    if (job.webhook) void node.webhooks.deliver(job.webhook, job.uuid, status === 200, body)
  }
  let running: Promise<unknown> | null = null
  if (!node.sessions.use(session)) {
    setTimeout(
      () => finish(503, JSON.stringify({ error: errorCode(sessionError(session)) })),
      node.latency,
    ).unref()
  } else if (fault?.kind === 'error503') {
    setTimeout(() => finish(503, JSON.stringify({ error: errorCode(fault.error) })), node.latency).unref()
  } else {
    running = Promise.resolve().then(() => route.run(ctx))
    // Bad parameter types are found while binding the request, before a job exists: plain-text 400.
    const early = await Promise.race([
      running.then(
        () => null,
        (e: unknown) => e,
      ),
      sleep(0).then(() => null),
    ])
    if (early instanceof SimHttpError) {
      node.jobs.expire(jobUuid)
      return text(res, early.status, early.text)
    }
  }
  if (fault?.kind === 'expireJob') node.jobs.expire(jobUuid)
  json(res, 202, { location: node.location(jobUuid) })
  if (running) {
    running.then(
      (result) => finish(200, result === undefined ? '' : JSON.stringify(result)),
      (e: unknown) => finish(503, JSON.stringify({ error: errorCode(asSpec(e)) })),
    )
  }
}

/**
 * The body as a JSON object ({} when empty), or null when it is not one. Where the real
 * server's Gson would turn a JSON array or a bare value into something else is a guess.
 */
function jsonObject(raw: string): Record<string, unknown> | null {
  if (raw.trim() === '') return {}
  try {
    const parsed: unknown = JSON.parse(raw)
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

/**
 * The API a request runs (RestServer.handle → handleUniqueApi / handleNonUniqueApi, 3.0.0): the
 * only API of a path runs whatever the method; where several share a path, POST picks the create,
 * PUT the action named by the body's key, GET the query, DELETE the delete; other methods → 405.
 */
function chooseRoute(
  routes: CompiledRoute[],
  method: string,
  body: Record<string, unknown>,
  path: string,
): CompiledRoute | SimHttpError {
  if (new Set(routes.map((r) => r.api)).size === 1) return routes[0]!
  const kinds: Record<string, string> = { POST: 'creational', GET: 'query', DELETE: 'delete' }
  if (method === 'PUT') {
    const action = routes.find(
      (r) => r.method === 'PUT' && r.bodyKey !== undefined && Object.hasOwn(body, r.bodyKey),
    )
    return action ?? new SimHttpError(400, `the body doesn't contain action mapping to the URL[${path}]`)
  }
  const kind = kinds[method]
  if (kind === undefined) {
    return new SimHttpError(405, `The method[${method}] is not allowed for the path[${path}]`)
  }
  return (
    routes.find((r) => r.method === method) ??
    new SimHttpError(500, `No ${kind} API found for the path[${path}]`)
  )
}

function pollJob(node: Node, method: string, uuid: string, fault: Fault | null, res: ServerResponse) {
  if (method !== 'GET') return text(res, 405, 'only GET method is allowed for querying job status')
  // An id the node never saw answers as an expired one (spec README, "Async APIs": 404 "the job has
  // been expired" = unknown or garbage-collected).
  if (fault?.kind === 'expireJob') return text(res, 404, 'the job has been expired')
  if (fault?.kind === 'error503') return failure(res, fault.error)
  const job = node.jobs.get(uuid)
  if (!job) return text(res, 404, 'the job has been expired')
  if (job.status === null) return send(res, 202, '', null)
  return send(res, job.status, job.body, job.body === '' ? null : 'application/json')
}

function login(node: Node, raw: string, fault: Fault | null, res: ServerResponse) {
  const body: { logInByAccount?: { accountName?: unknown; password?: unknown } } | null = jsonObject(raw)
  // Not JSON: the body is read before anything else (RestServer.handleUniqueApi) → 500.
  if (body === null) return text(res, 500, 'Expected BEGIN_OBJECT: the body is not a JSON object')
  const msg = body.logInByAccount
  if (!msg || typeof msg !== 'object') return text(res, 400, 'the body must contain [logInByAccount]')
  if (fault?.kind === 'error503') return failure(res, fault.error)
  if (msg.accountName !== ADMIN_ACCOUNT || msg.password !== ADMIN_DIGEST) {
    return failure(res, { code: 'ID.1000', details: 'wrong account name or password' })
  }
  const s = node.sessions.create()
  return json(res, 200, {
    inventory: {
      uuid: s.uuid,
      accountUuid: s.accountUuid,
      userUuid: s.userUuid,
      expiredDate: gsonDate(node.sessions.expiredDate(s)),
      createDate: gsonDate(s.createDate),
    },
  })
}

function sessionCall(node: Node, uuid: string, valid: boolean, fault: Fault | null, res: ServerResponse) {
  if (fault?.kind === 'error503') return failure(res, fault.error)
  if (valid) return json(res, 200, { valid: node.sessions.isValid(uuid) })
  node.sessions.delete(uuid)
  return send(res, 200, '', null)
}

function sessionError(session: string): ErrorSpec {
  return { code: 'ID.1001', details: `Session[uuid:${session}] expired or not found` }
}

function asSpec(e: unknown): ErrorSpec {
  if (e instanceof SimApiError) return e.spec
  if (isAppError(e)) return { code: 'SYS.1007', details: e.text.en }
  return { code: 'SYS.1000', details: e instanceof Error ? e.message : String(e) }
}

function replyError(res: ServerResponse, e: unknown) {
  if (e instanceof SimApiError) return failure(res, e.spec)
  if (e instanceof SimHttpError) return text(res, e.status, e.text)
  // The query parser's rejections are the REST layer's "invalid query" 400s.
  if (isAppError(e)) return text(res, 400, e.text.en)
  return text(res, 500, `Internal Server Error: ${e instanceof Error ? e.message : String(e)}`)
}

function failure(res: ServerResponse, spec: ErrorSpec) {
  return json(res, 503, { error: errorCode(spec) })
}

function json(res: ServerResponse, status: number, value: unknown) {
  return send(
    res,
    status,
    value === undefined ? '' : JSON.stringify(value),
    value === undefined ? null : 'application/json',
  )
}

function text(res: ServerResponse, status: number, body: string) {
  return send(res, status, body, 'text/plain; charset=utf-8')
}

/** The reply goes out `ms` later (every answer ends with one `res.end`, in `send`). */
function holdReply(res: ServerResponse, ms: number): void {
  const end = res.end.bind(res)
  res.end = ((body: string) => {
    setTimeout(() => end(body), ms)
    return res
  }) as typeof res.end
}

function send(res: ServerResponse, status: number, body: string, type: string | null) {
  const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) }
  if (type) headers['content-type'] = type
  res.writeHead(status, headers)
  res.end(body)
}

function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name]
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
