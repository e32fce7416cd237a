import { pino } from 'pino'
import { redact } from '../errors/redact.js'

/**
 * One logger for the main process, CLI and web host. Known secret-bearing keys are censored by
 * path, and every message string passes through `redact` so a secret registered anywhere
 * never reaches a log line.
 */
const SECRET_KEYS = [
  'password',
  'passphrase',
  'mysqlRootPassword',
  'sessionUuid',
  'session',
  'token',
  'authorization',
  'Authorization',
]

export type Logger = pino.Logger

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.ZSDR_LOG_LEVEL ?? 'info',
      redact: { paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`)], censor: '***' },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? redact(a) : a)) as Parameters<typeof method>,
          )
        },
      },
    },
    options.destination ?? pino.destination(2),
  )
}
