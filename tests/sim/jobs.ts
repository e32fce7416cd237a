/**
 * API jobs of async calls. A running job polls as 202; a finished one as 200 + result or 503 +
 * error, until `ttlMs` after it finished, then 404 as garbage-collected (about 3 h on the real node).
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
    if (job.finishedAt !== null && this.now() - job.finishedAt > this.ttlMs) {
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
