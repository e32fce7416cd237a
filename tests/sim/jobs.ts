/**
 * API jobs of async calls. A running job polls as 202; a finished one as 200 + result or 503 +
 * error until it is deleted, then 404 "the job has been expired". The node deletes finished jobs
 * whose *creation* is older than `rest.completedApi.expiredPeriod` (10800 s), in a clean-up that
 * runs every `rest.expiredApi.scanInterval` (3600 s) (zstackio/zstack 3.0.0
 * `conf/globalConfig/rest.xml`, `MysqlAsyncRestStore.startExpiredApiCleanupThread`); the
 * simulator deletes at the earliest moment. Not modelled: the node's in-memory cache of the last
 * 2000 results (`MysqlAsyncRestStore.results`), which may still answer after the row is gone.
 */
export interface Job {
  uuid: string
  api: string
  createdAt: number
  finishedAt: number | null
  /** 200 or 503 once finished. */
  status: number | null
  body: string
  webhook: string | null
}

export class JobStore {
  private readonly jobs = new Map<string, Job>()

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  create(uuid: string, api: string, webhook: string | null): Job {
    const job = { uuid, api, createdAt: this.now(), finishedAt: null, status: null, body: '', webhook }
    this.jobs.set(uuid, job)
    return job
  }

  /** The job, or null when unknown or expired (and then forgotten). */
  get(uuid: string): Job | null {
    const job = this.jobs.get(uuid)
    if (!job) return null
    if (job.finishedAt !== null && this.now() - job.createdAt > this.ttlMs) {
      this.jobs.delete(uuid)
      return null
    }
    return job
  }

  finish(job: Job, status: 200 | 503, body: string): void {
    job.status = status
    job.body = body
    job.finishedAt = this.now()
  }

  /** For tests and the `expireJob` fault: the job disappears as if garbage-collected. */
  expire(uuid: string): void {
    this.jobs.delete(uuid)
  }

  expireAll(): void {
    this.jobs.clear()
  }

  list(): Job[] {
    return [...this.jobs.values()]
  }
}
