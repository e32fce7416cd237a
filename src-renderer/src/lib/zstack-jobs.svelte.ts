import type { ErrorEnvelope, ZStackJob } from '../../../src-main/api/contract/index.js'
import { call, on } from './api.js'
import { toEnvelope } from './errors.js'

/**
 * The asynchronous jobs this app started on management nodes, persisted by the backend so that
 * after a restart they are listed again and can be re-attached (polled until they end).
 */
class ZStackJobsStore {
  items = $state<ZStackJob[]>([])
  error = $state<ErrorEnvelope | null>(null)

  constructor() {
    on('zstack.job.updated', (job) => {
      const i = this.items.findIndex((j) => j.jobUuid === job.jobUuid)
      if (i >= 0) this.items[i] = job
      else this.items.unshift(job)
    })
  }

  async refresh(): Promise<void> {
    try {
      this.items = await call('zstack.jobs.list', { limit: 500 })
      this.error = null
    } catch (e) {
      this.error = toEnvelope(e)
    }
  }

  async attach(jobUuid: string): Promise<void> {
    try {
      await call('zstack.jobs.attach', { jobUuid })
    } catch (e) {
      this.error = toEnvelope(e)
    }
  }

  async stopWaiting(jobUuid: string): Promise<void> {
    try {
      await call('zstack.jobs.cancel', { jobUuid })
    } catch (e) {
      this.error = toEnvelope(e)
    }
  }
}

export const zstackJobs = new ZStackJobsStore()
