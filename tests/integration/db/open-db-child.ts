/**
 * A separate process that opens the app database when told to (a line on stdin), for the tests of
 * several processes sharing one data folder. Prints `ready`, then `ok` or the error's code.
 */
import { openDatabase } from '../../../src-main/db/index.js'

const file = process.argv[2]
if (!file) throw new Error('usage: open-db-child <file>')
process.stdout.write('ready\n')
process.stdin.once('data', () => {
  try {
    openDatabase(file).close()
    process.stdout.write('ok\n')
  } catch (e) {
    process.stdout.write(`failed ${(e as { code?: string }).code ?? ''} ${(e as Error).message}\n`)
    process.exitCode = 1
  }
  process.stdin.destroy()
})
