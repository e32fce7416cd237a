import type { Database } from 'better-sqlite3'
import { DEFAULT_LIMIT, groupRows, parseCondition, type QueryOptions } from '../../src-shared/query/index.js'
import type { DrCallName } from '../api/contract/choices.js'
import type { ConnectionInfo, QueryReply, ZStackJob } from '../api/contract/zstack.js'

/** One DR call as the contract carries it; `subject` names its target for the job history. */
export type DrRequest = {
  connectionId: string
  api: DrCallName
  params: unknown
  timeoutMs?: number
  subject?: string
}

import type { EventBus } from '../api/event-bus.js'
import type { OperationRegistry } from '../api/operations.js'
import { AppError, toEnvelope } from '../errors/app-error.js'
import { registerSecret } from '../errors/redact.js'
import type { Logger } from '../log/logger.js'
import { zstackPasswordKey } from '../vault/keys.js'
import type { Vault } from '../vault/vault.js'
import {
  type CallOptions,
  DEFAULT_REQUEST_TIMEOUT_MS,
  SHUTDOWN,
  ZStackClient,
  type ZStackClientOptions,
} from './client.js'
import { type ConnectionRecord, ConnectionRepository } from './connection-repository.js'
import { callDr, type DrParams } from './dr-api.js'
import { type DrChange, drChanges } from './dr-changes.js'
import { type Endpoint, parseEndpoint } from './endpoint.js'
import { notConnected } from './errors.js'
import { type JobPatch, type JobRecorder, JobRepository, type NewJob } from './jobs/job-repository.js'
import { LogFeed, RESTORE_SUCCEEDED } from './log-feed.js'
import { readLogStream } from './log-stream.js'
import { countQuery, type QueryResource, queryAll, runQuery } from './query-client.js'
import { WebhookReceiver } from './webhook-receiver.js'

export interface ZStackServiceDeps {
  db: Database
  bus: EventBus
  ops: OperationRegistry
  /** Where connection passwords live: the keychain, or this session only. */
  vault: Vault
  log?: Logger
  /** Timeouts and poll policy for every client (tests shorten them). */
  clientDefaults?: Pick<ZStackClientOptions, 'requestTimeoutMs' | 'callTimeoutMs' | 'poll'>
  /** How long a lost restore-log connection is retried (tests shorten it). Default 10 min. */
  logRetryWindowMs?: number
}

export type DrChangeListener = (connectionId: string, changes: DrChange[]) => Promise<void>

export interface ConnectRequest {
  endpoint: string
  accountName: string
  password: string
  /** Keep the password in the OS keychain (else for this session only). */
  remember?: boolean
  name?: string
  insecureTls?: boolean
  webhook?: { bindHost: string; port: number; publicHost?: string }
}

export interface QueryRequest {
  connectionId: string
  resource: QueryResource
  q: string[]
  limit?: number
  start?: number
  count?: boolean
  replyWithCount?: boolean
  sort?: { field: string; direction: 'asc' | 'desc' }
  fields?: string[]
  groupBy?: string
  all?: boolean
}

/**
 * How long the node keeps a job's result: deleted 10800 s after the job was created (spec README,
 * "Query API" table, from `rest.xml`). Within it, a 404 for a job id means the node never saw it.
 */
const JOB_RETENTION_MS = 10_800_000

/** The most rows one `all` query gathers: memory stays bounded (55,550 rows once took 525 MB). */
export const ALL_MAX_ROWS = 20_000

interface OpenConnection {
  record: ConnectionRecord
  client: ZStackClient
  webhook: WebhookReceiver | null
}

/**
 * Connections to management nodes and everything done through them: DR calls, queries, the
 * persisted async jobs (re-attached after a restart) and restore log streams.
 */
export class ZStackService {
  readonly connections: ConnectionRepository
  readonly jobs: JobRepository
  private readonly open = new Map<string, OpenConnection>()
  /** Jobs this process is waiting for, so they can be cancelled (= stop waiting). */
  private readonly waiting = new Map<string, AbortController>()
  /** One restore-log connection per (connection, port), and the viewer ids reading each. */
  private readonly feeds = new Map<string, LogFeed>()
  private readonly viewers = new Map<string, string>()
  /** The recorded operation that follows each restore-log connection (same key as `feeds`). */
  private readonly feedOps = new Map<string, string>()
  private readonly changeListeners = new Set<DrChangeListener>()

  constructor(private readonly deps: ZStackServiceDeps) {
    this.connections = new ConnectionRepository(deps.db)
    this.jobs = new JobRepository(deps.db)
  }

  async connect(req: ConnectRequest): Promise<ConnectionInfo> {
    const endpoint = parseEndpoint(req.endpoint)
    registerSecret(req.password)
    const record = this.connections.upsert({
      name: req.name ?? `${endpoint.host}:${endpoint.port}`,
      endpoint: endpoint.baseUrl,
      accountName: req.accountName,
      insecureTls: req.insecureTls ?? false,
      webhookBind: req.webhook ? `${req.webhook.bindHost}:${req.webhook.port}` : null,
      webhookPublicHost: req.webhook?.publicHost ?? null,
    })
    await this.closeConnection(record.id, false)
    const webhook = req.webhook
      ? new WebhookReceiver({
          bindHost: req.webhook.bindHost,
          port: req.webhook.port,
          publicHost: req.webhook.publicHost,
        })
      : null
    const client = this.client(record, webhook)
    await this.deps.vault.set(zstackPasswordKey(record.id), req.password, { remember: req.remember ?? true })
    try {
      await client.login()
      if (webhook) await webhook.start()
    } catch (e) {
      await this.deps.vault.delete(zstackPasswordKey(record.id)).catch(() => false)
      await webhook?.close()
      throw e
    }
    this.connections.touch(record.id)
    this.open.set(record.id, { record: this.connections.get(record.id)!, client, webhook })
    return this.info(this.connections.get(record.id)!)
  }

  async disconnect(connectionId: string): Promise<boolean> {
    return this.closeConnection(connectionId, true)
  }

  /**
   * Forgets a saved node: logs out, deletes its password from the vault and its record, and says so
   * on the bus (the offline cache drops its copy). The job history stays: it records what was done.
   */
  async removeConnection(connectionId: string): Promise<boolean> {
    if (!this.connections.get(connectionId)) return false
    await this.closeConnection(connectionId, true)
    this.connections.remove(connectionId)
    this.deps.bus.emit('zstack.connection.removed', { connectionId })
    return true
  }

  listConnections(): ConnectionInfo[] {
    return this.connections.list().map((r) => this.info(r))
  }

  async checkSession(connectionId: string): Promise<boolean> {
    return this.connection(connectionId).client.isSessionValid()
  }

  /** Runs one DR API and waits for its result. */
  async dr(req: Omit<DrRequest, 'subject'>, signal?: AbortSignal) {
    const conn = this.connection(req.connectionId)
    const controller = new AbortController()
    const onAbort = () => controller.abort()
    signal?.addEventListener('abort', onAbort, { once: true })
    const options: CallOptions = { signal: controller.signal, timeoutMs: req.timeoutMs }
    try {
      const reply = await callDr(
        this.trackingClient(conn, controller),
        req.api,
        req.params as DrParams[DrCallName],
        options,
      )
      await this.changed(req.connectionId, drChanges(req.api, req.params, reply))
      return reply
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /**
   * Calls `listener` after each successful DR call with the records it changed (the offline cache
   * re-reads them); the call's outcome waits for it, so a list reloaded afterwards agrees.
   */
  onDrChange(listener: DrChangeListener): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  private async changed(connectionId: string, changes: DrChange[]): Promise<void> {
    if (changes.length === 0) return
    for (const listener of this.changeListeners) {
      try {
        await listener(connectionId, changes)
      } catch (e) {
        // The DR call itself succeeded; the next sync brings the cache up to date.
        this.deps.log?.warn({ err: toEnvelope(e) }, 'following a DR change failed')
      }
    }
  }

  /** Starts a DR call as an operation: returns at once; the outcome is an `op.finished` event. */
  startDr(req: DrRequest): { opId: string; done: Promise<unknown> } {
    this.connection(req.connectionId)
    const { subject, ...call } = req
    const what = { label: req.api, subject: subject ?? null, connectionId: req.connectionId }
    return this.deps.ops.start('zstack.dr', what, (op) => this.dr(call, op.signal))
  }

  /** Runs a DR call and waits for it, recorded in the job history like a started one. */
  callDr(req: DrRequest): Promise<unknown> {
    return this.startDr(req).done
  }

  async query(req: QueryRequest): Promise<QueryReply> {
    const conn = this.connection(req.connectionId)
    const options: QueryOptions = {
      conditions: req.q.map(parseCondition),
      ...(req.limit !== undefined ? { limit: req.limit } : {}),
      ...(req.start !== undefined ? { start: req.start } : {}),
      ...(req.replyWithCount ? { replyWithCount: true } : {}),
      ...(req.sort ? { sort: req.sort } : {}),
      ...(req.fields ? { fields: req.fields } : {}),
    }
    if (req.groupBy) return this.groupedQuery(conn, req, req.groupBy, options)
    if (req.count) return { inventories: [], total: await countQuery(conn.client, req.resource, options) }
    if (req.all) {
      let total = 0
      const inventories = await queryAll<Record<string, unknown>>(conn.client, req.resource, options, {
        maxRows: ALL_MAX_ROWS,
        onPage: (_done, matching) => {
          total = matching
        },
      })
      // Capped: `total` above the rows' count says so; the caller pages on with `start`.
      return { inventories, total: Math.max(total, inventories.length) }
    }
    return runQuery<Record<string, unknown>>(conn.client, req.resource, options)
  }

  /**
   * `groupBy` done here: a 3.0.0 node ignores it, so every matching row is fetched and grouped
   * locally (first row of each value, in the requested order); paging and counts are of groups.
   */
  private async groupedQuery(
    conn: OpenConnection,
    req: QueryRequest,
    groupBy: string,
    options: QueryOptions,
  ): Promise<QueryReply> {
    const { start = 0, limit = DEFAULT_LIMIT, ...all } = options
    if (all.fields && !all.fields.includes(groupBy)) all.fields = [...all.fields, groupBy]
    const rows = await queryAll<Record<string, unknown>>(conn.client, req.resource, all)
    const groups = groupRows(rows, groupBy)
    if (req.count) return { inventories: [], total: groups.length }
    const inventories = req.all ? groups : groups.slice(start, start + limit)
    return { inventories, total: groups.length }
  }

  listJobs(filter: Parameters<JobRepository['list']>[0] = {}): ZStackJob[] {
    return this.jobs.list(filter)
  }

  /**
   * Polls a job again in the background (after a restart, a timeout or a cancel). Works without
   * a session: polling needs none. The outcome arrives as `zstack.job.updated`.
   */
  attachJob(jobUuid: string, unconfirmed = false): boolean {
    const job = this.jobs.get(jobUuid)
    if (!job) {
      throw new AppError(
        'zstack.job_unknown',
        { en: `No job ${jobUuid} was started by this app.`, zh: `本应用没有启动过任务 ${jobUuid}。` },
        { jobUuid },
      )
    }
    // No location needed: jobs are polled by id through the connection's own address.
    if (this.waiting.has(jobUuid)) return false
    if (!['sending', 'running', 'detached'].includes(job.state)) return false
    const controller = new AbortController()
    this.waiting.set(jobUuid, controller)
    const conn = job.connectionId ? this.open.get(job.connectionId) : undefined
    const client = conn?.client ?? this.client(this.pollOnlyRecord(job.endpoint), null)
    client
      .attach({ jobUuid, api: job.api, unconfirmed }, { signal: controller.signal })
      .catch((e: unknown) =>
        this.deps.log?.info({ jobUuid, code: toEnvelope(e).code }, 'attached job ended in error'),
      )
      .finally(() => this.waiting.delete(jobUuid))
    return true
  }

  cancelJob(jobUuid: string): boolean {
    const controller = this.waiting.get(jobUuid)
    if (!controller) return false
    controller.abort()
    return true
  }

  /**
   * At start-up: every unfinished job is polled again by the id this app gave it. One cut off
   * mid-send (`sending`) may or may not have reached the node; polling tells: the node follows it
   * to its end, or (within the node's retention) answers 404 because it never arrived. A `sending`
   * job younger than the longest send may belong to another process sending it now: left alone.
   */
  resumeUnfinished(): { reattached: number; unconfirmed: number } {
    let reattached = 0
    let unconfirmed = 0
    const sendMs = this.deps.clientDefaults?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    for (const job of this.jobs.list({ states: ['sending', 'running'], limit: 5000 })) {
      const age = Date.now() - Date.parse(job.updatedAt)
      if (job.state === 'sending' && age <= sendMs) continue
      const sending = job.state === 'sending'
      if (!this.attachJob(job.jobUuid, sending && Date.now() - Date.parse(job.createdAt) < JOB_RETENTION_MS))
        continue
      reattached++
      if (sending) unconfirmed++
    }
    return { reattached, unconfirmed }
  }

  /**
   * Follows a restore log port for one viewer. All viewers of a port share one connection (the
   * node's port takes one); each gets the lines so far in the reply, then `zstack.log.line` events,
   * and `zstack.log.end` when the restore reported its end or the stream broke.
   */
  openLog(
    connectionId: string,
    port: number,
    subject?: string,
  ): { streamId: string; lines: string[]; dropped: number } {
    const conn = this.connection(connectionId)
    const key = `${connectionId}|${port}`
    const feed =
      this.feeds.get(key) ?? this.startFeed(key, conn.client.endpoint, port, { connectionId, subject })
    const { viewerId, lines, dropped } = feed.join()
    if (!feed.finished) this.viewers.set(viewerId, key)
    return { streamId: viewerId, lines, dropped }
  }

  /**
   * Opens the shared connection as an operation, so the job history records the recovery's
   * outcome: succeeded when zstack-ctl prints its success line, failed when the log ends or breaks
   * without it, cancelled when the last viewer closes it.
   */
  private startFeed(
    key: string,
    endpoint: Endpoint,
    port: number,
    target: { connectionId: string; subject: string | undefined },
  ): LogFeed {
    const feed = new LogFeed({
      open: (signal) => readLogStream(endpoint, port, { signal }),
      onLine: (streamId, line) => this.deps.bus.emit('zstack.log.line', { streamId, line }),
      onEnd: (streamId, reason, error) => {
        this.viewers.delete(streamId)
        // A log that ended on any other last line (an error line) is a failed recovery.
        const failure =
          error ??
          (RESTORE_SUCCEEDED.test(feed.lastLine ?? '') ? undefined : toEnvelope(recoverUnconfirmed()))
        this.deps.bus.emit(
          'zstack.log.end',
          failure ? { streamId, reason, error: failure } : { streamId, reason },
        )
      },
      ...(this.deps.logRetryWindowMs !== undefined ? { retryWindowMs: this.deps.logRetryWindowMs } : {}),
    })
    this.feeds.set(key, feed)
    const what = {
      label: 'RecoverDatabaseFromBackup',
      subject: target.subject ?? null,
      connectionId: target.connectionId,
    }
    const { opId, done } = this.deps.ops.start('zstack.recover', what, async (op) => {
      await feed.done
      if (RESTORE_SUCCEEDED.test(feed.lastLine ?? '')) return
      if (op.signal.aborted) throw op.signal.reason
      throw recoverUnconfirmed()
    })
    this.feedOps.set(key, opId)
    const forget = () => this.feedOps.delete(key)
    done.then(forget, forget)
    return feed
  }

  closeLog(streamId: string): boolean {
    const key = this.viewers.get(streamId)
    if (key === undefined) return false
    this.viewers.delete(streamId)
    const feed = this.feeds.get(key)
    if (feed?.leave(streamId) && !feed.finished) {
      this.feeds.delete(key)
      // The last viewer closed the log before the restore reported its end: the recovery's outcome is unknown.
      const opId = this.feedOps.get(key)
      if (opId) this.deps.ops.cancel(opId)
    }
    return true
  }

  /** The client of an open connection (used by other services, e.g. the cache sync). */
  clientFor(connectionId: string): ZStackClient {
    return this.connection(connectionId).client
  }

  /** Stops waiting without marking jobs: unfinished ones are re-attached at the next start. */
  async close(): Promise<void> {
    for (const c of this.waiting.values()) c.abort(SHUTDOWN)
    for (const id of [...this.viewers.keys()]) this.closeLog(id)
    for (const conn of this.open.values()) await conn.webhook?.close()
    this.open.clear()
  }

  private connection(connectionId: string): OpenConnection {
    const conn = this.open.get(connectionId)
    if (!conn) throw notConnected(connectionId)
    return conn
  }

  private async closeConnection(connectionId: string, forgetPassword: boolean): Promise<boolean> {
    const conn = this.open.get(connectionId)
    if (forgetPassword) await this.deps.vault.delete(zstackPasswordKey(connectionId)).catch(() => false)
    if (!conn) return false
    this.open.delete(connectionId)
    try {
      await conn.client.logout()
    } catch (e) {
      this.deps.log?.info({ connectionId, code: toEnvelope(e).code }, 'logout failed; session left to expire')
    }
    await conn.webhook?.close()
    return true
  }

  private client(
    record: ConnectionRecord,
    webhook: WebhookReceiver | null,
    recorder?: JobRecorder,
  ): ZStackClient {
    return new ZStackClient({
      ...this.deps.clientDefaults,
      endpoint: parseEndpoint(record.endpoint),
      accountName: record.accountName,
      connectionId: record.id || null,
      insecureTls: record.insecureTls,
      password: async () => {
        const p = record.id ? await this.deps.vault.get(zstackPasswordKey(record.id)) : null
        if (p === null) throw notConnected(record.id || record.endpoint)
        return p
      },
      jobs: recorder ?? this.recorder,
      webhook: webhook ?? undefined,
      log: this.deps.log,
    })
  }

  /**
   * A client sharing the connection's session whose recorder also registers each started job
   * with the caller's AbortController, so `zstack.jobs.cancel` can stop the wait.
   */
  private trackingClient(conn: OpenConnection, controller: AbortController): ZStackClient {
    const base = this.recorder
    const waiting = this.waiting
    const tracked: JobRecorder = {
      started(job: NewJob) {
        base.started(job)
        waiting.set(job.jobUuid, controller)
      },
      update(jobUuid: string, patch: JobPatch) {
        base.update(jobUuid, patch)
        if (patch.state !== 'running' && patch.state !== 'sending') waiting.delete(jobUuid)
      },
    }
    return conn.client.withRecorder(tracked)
  }

  private pollOnlyRecord(endpoint: string): ConnectionRecord {
    return {
      id: '',
      name: endpoint,
      endpoint,
      accountName: '',
      insecureTls: false,
      webhookBind: null,
      webhookPublicHost: null,
      createdAt: '',
      lastConnectedAt: null,
    }
  }

  /** Persists each job step and tells the UI. */
  private readonly recorder: JobRecorder = {
    started: (job) => {
      this.jobs.started(job)
      this.emitJob(job.jobUuid)
    },
    update: (jobUuid, patch) => {
      this.jobs.update(jobUuid, patch)
      this.emitJob(jobUuid)
    },
  }

  private emitJob(jobUuid: string): void {
    const job = this.jobs.get(jobUuid)
    if (job) this.deps.bus.emit('zstack.job.updated', job)
  }

  private info(r: ConnectionRecord): ConnectionInfo {
    const conn = this.open.get(r.id)
    return {
      connectionId: r.id,
      name: r.name,
      endpoint: r.endpoint,
      accountName: r.accountName,
      connected: conn !== undefined,
      webhookUrl: conn?.webhook ? `${conn.webhook.publicBase}/zsdr-hook/…` : null,
      lastConnectedAt: r.lastConnectedAt,
    }
  }
}

function recoverUnconfirmed(): AppError {
  return new AppError('zstack.recover_unconfirmed', {
    en: 'The recovery log ended without zstack-ctl\'s success line ("Recover data successfully"): treat the recovery as failed and check the node.',
    zh: '恢复日志结束时没有 zstack-ctl 的成功行（"Recover data successfully"）：请按恢复失败处理并检查管理节点。',
  })
}
