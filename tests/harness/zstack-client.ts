import { openDatabase } from '../../src-main/db/index.js'
import { ZStackClient, type ZStackClientOptions } from '../../src-main/zstack/client.js'
import { parseEndpoint } from '../../src-main/zstack/endpoint.js'
import { JobRepository } from '../../src-main/zstack/jobs/job-repository.js'
import { SIM_PASSWORD, type Simulator } from './simulator.js'

/** A client for the simulator with fast polling and an in-memory job table. */
export function simClient(sim: Simulator, options: Partial<ZStackClientOptions> = {}) {
  const db = openDatabase(':memory:')
  const jobs = new JobRepository(db)
  const client = new ZStackClient({
    endpoint: parseEndpoint(sim.baseUrl),
    accountName: 'admin',
    password: () => SIM_PASSWORD,
    poll: { initialMs: 10, maxMs: 50, factor: 1.5 },
    requestTimeoutMs: 5000,
    callTimeoutMs: 20_000,
    jobs,
    ...options,
  })
  return { client, jobs, db }
}
