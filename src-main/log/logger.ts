import { createRequire } from 'node:module'
import type { DestinationStream, LogFn, Logger as PinoLogger } from 'pino'
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

/** What the app logs with: pino's leveled methods. */
export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error'>

interface LoggerOptions {
  level?: string
  destination?: DestinationStream
}

/**
 * pino (with its transport code) is loaded at the first line logged, not when the logger is made:
 * a CLI command that logs nothing, such as a restore that goes well, does not pay for it at
 * start-up (#17). `require` keeps logging synchronous.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  let logger: PinoLogger | undefined
  const pinoLogger = () => {
    logger ??= openPino(options)
    return logger
  }
  const method = (level: keyof Logger): LogFn =>
    ((...args: Parameters<LogFn>) => pinoLogger()[level](...args)) as LogFn
  return { info: method('info'), warn: method('warn'), error: method('error') }
}

function openPino(options: LoggerOptions): PinoLogger {
  const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino')
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
