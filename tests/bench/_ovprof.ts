import { copyFileSync, existsSync } from 'node:fs'
import { openDatabase } from '../../src-main/db/index.js'
import { syncedLargeSeed, median, timeRuns } from './_cache-bench.js'
const DB = '/tmp/ovprof/zsdr.sqlite'
if (!existsSync(DB)) { const f = await syncedLargeSeed(); const d = f.open(); d.pragma('wal_checkpoint(TRUNCATE)'); d.close(); copyFileSync(f.file, DB); f.remove() }
console.log('ready')
