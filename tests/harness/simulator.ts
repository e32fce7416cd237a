import { createHash } from 'node:crypto'
import { type Simulator, type SimulatorOptions, startSimulator } from '../sim/simulator.js'

export type { Simulator }

/** A simulator tuned for tests: short job latency, fast webhook retries and log lines. */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({
    jobLatencyMs: 20,
    webhookIntervalMs: 20,
    logLineIntervalMs: 5,
    ...options,
  })
}

export const SIM_PASSWORD = 'password'
export const SIM_PASSWORD_DIGEST = createHash('sha512').update(SIM_PASSWORD).digest('hex')

/** Logs in with raw HTTP and returns the session uuid (for tests that speak to the simulator directly). */
export async function rawLogin(sim: Simulator): Promise<string> {
  const res = await fetch(`${sim.baseUrl}/v1/accounts/login`, {
    method: 'PUT',
    body: JSON.stringify({ logInByAccount: { accountName: 'admin', password: SIM_PASSWORD_DIGEST } }),
  })
  const body = (await res.json()) as { inventory: { uuid: string } }
  return body.inventory.uuid
}

/** Seeded resources by name (the demo seed is deterministic). */
export function seeded(sim: Simulator) {
  const s = sim.state
  const bs = (name: string) => s.backupStorages.rows.find((b) => b.name === name)!
  const vm = (name: string) => s.vms.rows.find((v) => v.name === name)!
  return {
    bsLocal: bs('bs-local'),
    bsDr: bs('bs-dr'),
    bsOffsite: bs('bs-offsite'),
    bsBroken: bs('bs-broken'),
    vmWeb: vm('vm-web'),
    vmDb: vm('vm-db'),
    vmApp: vm('vm-app'),
    volumeBackup: (name: string) => s.volumeBackups.rows.find((b) => b.name === name)!,
    databaseBackup: (name: string) => s.databaseBackups.rows.find((b) => b.name === name)!,
    vmDbGroup: s.volumeBackups.rows.find((b) => b.name.startsWith('vm-db-backup'))!.groupUuid!,
  }
}
