import { type Command, InvalidArgumentError, Option } from 'commander'
import { weekDays } from '../../api/contract/choices.js'
import type { ScheduleRow, ScheduleWhen } from '../../api/contract/schedules.js'
import { AppError } from '../../errors/app-error.js'
import type { CliContext } from '../context.js'
import { helpExamples } from '../help.js'
import { messages } from '../messages.js'
import { type Column, outputSettings, printList } from '../output/index.js'
import { say } from '../output/lang.js'
import { humanAge, localDate } from '../output/values.js'
import { type ConnectionOpts, openConnection, withConnectionOptions } from './cache.js'

interface ScheduleOpts extends ConnectionOpts {
  connection: string
  timeZone?: string
}

interface CreateOpts extends ScheduleOpts {
  name?: string
  type: 'vm' | 'volume' | 'database'
  target: string
  store: string[]
  keep: number
  hourly?: number
  daily?: string
  weekly?: string
  cron?: string
}

interface ChangeOpts extends ScheduleOpts {
  keep: number
  store: string[]
  yes?: boolean
}

const TYPES = { vm: 'vmBackup', volume: 'volumeBackup', database: 'databaseBackup' } as const

const columns: Column<ScheduleRow>[] = [
  { header: { en: 'NAME', zh: '名称' }, value: (r) => r.name, shrink: true },
  { header: { en: 'TARGET', zh: '对象' }, value: (r) => r.targetName ?? r.targetUuid, shrink: true },
  { header: { en: 'TYPE', zh: '类型' }, value: (r) => r.type },
  {
    header: { en: 'WHEN', zh: '时间' },
    value: (r) => r.when?.en ?? null,
    show: (r, l) => r.when?.[l] ?? '-',
  },
  {
    header: { en: 'CRON', zh: 'CRON' },
    value: (r) => r.cron ?? (r.intervalSeconds ? `${r.intervalSeconds}s` : null),
  },
  {
    header: { en: 'NEXT RUN', zh: '下次执行' },
    value: (r) => r.nextRuns[0] ?? null,
    show: (r) => localDate(r.nextRuns[0]),
  },
  { header: { en: 'KEEP', zh: '保留' }, value: (r) => r.keep, right: true },
  { header: { en: 'STORES', zh: '镜像仓库' }, value: (r) => r.storeUuids.join(' '), wide: true },
  { header: { en: 'STATE', zh: '状态' }, value: (r) => r.state },
  { header: { en: 'UUID', zh: 'UUID' }, value: (r) => r.jobUuid, wide: true },
  {
    header: { en: 'NEXT 5 RUNS', zh: '之后 5 次' },
    value: (r) => r.nextRuns.join(' '),
    show: (r) => r.nextRuns.map(localDate).join(', '),
    wide: true,
  },
]

/** `zsdr schedule list|create|pause|resume|delete|change`: backup schedules on the node's scheduler. */
export function registerSchedule(program: Command, ctx: CliContext): void {
  const schedule = program
    .command('schedule')
    .description(
      'backup schedules on the management node (volume, VM, database; keep the newest N) / 备份计划',
    )

  const withConnection = (cmd: Command) =>
    withConnectionOptions(cmd)
      .addOption(
        new Option(
          '-c, --connection <connection>',
          'saved connection (id, name or address)',
        ).makeOptionMandatory(),
      )
      .option(
        '--time-zone <zone>',
        "the node's time zone for next runs, e.g. Asia/Shanghai (default: this computer's)",
      )

  /** Opens the connection, runs `work`, and always ends the session again. */
  const run = async <T>(opts: ScheduleOpts, work: (connectionId: string) => Promise<T>): Promise<T> => {
    const conn = await openConnection(ctx, opts.connection, opts)
    try {
      return await work(conn.connectionId)
    } finally {
      await conn.close()
    }
  }
  const tz = (opts: ScheduleOpts) => (opts.timeZone ? { timeZone: opts.timeZone } : {})

  withConnection(
    helpExamples(schedule.command('list'), [
      'zsdr schedule list -c prod',
      'zsdr schedule list -c 10.0.0.5 --time-zone Asia/Shanghai -o csv',
    ]),
  )
    .description(
      'every backup schedule: target, when (in words and cron), next runs, retention, state / 列出备份计划',
    )
    .action(async (opts: ScheduleOpts, command: Command) => {
      const list = await run(opts, (connectionId) =>
        ctx.call('schedules.list', { connectionId, ...tz(opts) }),
      )
      const { lang } = outputSettings(command, ctx)
      const age = list.cache ?? { ageSeconds: null, syncedAt: null }
      printList(command, ctx, {
        document: { source: list.source, schedules: list.rows, ...(list.cache ? { cache: list.cache } : {}) },
        rows: list.rows,
        columns,
        notes:
          list.source === 'cache'
            ? [
                say(lang, messages.fromCache, {
                  age: humanAge(age.ageSeconds, lang),
                  at: localDate(age.syncedAt),
                }),
              ]
            : [],
        empty: { en: 'No backup schedules on this node.', zh: '此管理节点上没有备份计划。' },
      })
    })

  withConnection(
    helpExamples(schedule.command('create'), [
      'zsdr schedule create -c prod --type vm --target <vm-uuid> --store <bs-uuid> --keep 7 --daily 01:30',
      'zsdr schedule create -c prod --type volume --target <volume-uuid> --store <a> <b> --keep 24 --hourly 15',
      'zsdr schedule create -c prod --type database --store <bs-uuid> --keep 14 --weekly MON,THU@02:00',
      "zsdr schedule create -c prod --type vm --target <vm-uuid> --store <bs-uuid> --keep 3 --cron '0 0 3 ? * 1'",
    ]),
  )
    .description(
      'create a schedule: one job plus one trigger on the node, checked first against 3.0.0 limits / 创建备份计划',
    )
    .addOption(
      new Option('--type <type>', 'what to back up').choices(Object.keys(TYPES)).makeOptionMandatory(),
    )
    .requiredOption(
      '--target <uuid>',
      'the VM or volume; for --type database the resource the node expects (a guess: its management node uuid)',
    )
    .requiredOption('--store <uuid...>', 'image stores to keep the backups on')
    .requiredOption('--keep <n>', 'keep the newest n backups', positive)
    .option('--name <name>', 'name of the job and trigger (default: zsdr-<type>-<time>)')
    .option('--hourly <minute>', 'every hour at this minute', minute)
    .option('--daily <HH:MM>', 'every day at this time')
    .option('--weekly <DAYS@HH:MM>', 'on these days (MON,TUE,…) at this time')
    .option('--cron <quartz>', 'a Quartz cron: seconds minutes hours day-of-month month day-of-week [year]')
    .action(async (opts: CreateOpts, command: Command) => {
      const when = whenOf(opts)
      const type = TYPES[opts.type]
      const row = await run(opts, (connectionId) =>
        ctx.call('schedules.create', {
          connectionId,
          name: opts.name ?? `zsdr-${opts.type}-${new Date().toISOString().slice(0, 16)}`,
          type,
          targetUuid: opts.target,
          storeUuids: opts.store,
          keep: opts.keep,
          when,
          ...tz(opts),
        }),
      )
      ctx.output(
        command,
        row,
        () => `created ${row.jobUuid}: ${row.when?.en ?? row.cron}, next ${localDate(row.nextRuns[0])}`,
      )
    })

  for (const [name, enabled] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
    withConnection(
      helpExamples(schedule.command(`${name} <job-uuid>`), [`zsdr schedule ${name} <job-uuid> -c prod`]),
    )
      .description(
        enabled
          ? 'resume a paused schedule / 恢复计划'
          : 'pause a schedule (it stays on the node) / 暂停计划',
      )
      .action(async (jobUuid: string, opts: ScheduleOpts, command: Command) => {
        const r = await run(opts, (connectionId) =>
          ctx.call('schedules.setState', { connectionId, jobUuid, enabled }),
        )
        ctx.output(command, { jobUuid, ...r }, () => `${jobUuid}: ${r.state}`)
      })
  }

  withConnection(
    helpExamples(schedule.command('delete <job-uuid>'), ['zsdr schedule delete <job-uuid> -c prod']),
  )
    .description(
      'delete a schedule: the job, and its trigger when no other job uses it; backups stay / 删除计划',
    )
    .action(async (jobUuid: string, opts: ScheduleOpts, command: Command) => {
      const r = await run(opts, (connectionId) => ctx.call('schedules.delete', { connectionId, jobUuid }))
      ctx.output(command, { jobUuid, ...r }, () =>
        [
          `deleted ${jobUuid}`,
          ...r.deletedTriggers.map((t) => `deleted trigger ${t}`),
          ...r.keptTriggers.map((t) => `kept trigger ${t} (another job uses it)`),
        ].join('\n'),
      )
    })

  withConnection(
    helpExamples(
      schedule.command('change <job-uuid>'),
      ['zsdr schedule change <job-uuid> -c prod --keep 14 --store <a> <b> --yes'],
      '0 re-created, 1 not confirmed or it failed, 2 the command line was wrong.',
    ),
  )
    .description(
      'change retention or stores: ZStack 3.0.0 cannot, so this deletes the schedule and creates it again (needs --yes) / 修改保留数或镜像仓库（删除后重建）',
    )
    .requiredOption('--keep <n>', 'keep the newest n backups', positive)
    .requiredOption('--store <uuid...>', 'image stores to keep the backups on')
    .option('--yes', 'confirm: delete the schedule and create it again with a new uuid')
    .action(async (jobUuid: string, opts: ChangeOpts, command: Command) => {
      if (!opts.yes)
        throw new AppError('cli.confirm_recreate', {
          en: "ZStack 3.0.0 cannot change a schedule's retention or stores: this deletes the schedule and creates it again (same name, target and time; a new uuid). Add --yes to do so.",
          zh: 'ZStack 3.0.0 无法修改计划的保留数或镜像仓库：此操作会删除该计划并重新创建（名称、对象与时间不变，UUID 改变）。加 --yes 以执行。',
        })
      const row = await run(opts, (connectionId) =>
        ctx.call('schedules.recreate', {
          connectionId,
          jobUuid,
          keep: opts.keep,
          storeUuids: opts.store,
          confirmRecreate: true,
          ...tz(opts),
        }),
      )
      ctx.output(command, row, () => `re-created as ${row.jobUuid}: keep ${row.keep}`)
    })
}

/** Exactly one of the timing options. */
function whenOf(o: CreateOpts): ScheduleWhen {
  const given = [
    o.hourly !== undefined && ({ kind: 'hourly', minute: o.hourly } as const),
    o.daily !== undefined && ({ kind: 'daily', time: o.daily } as const),
    o.weekly !== undefined && weekly(o.weekly),
    o.cron !== undefined && ({ kind: 'cron', cron: o.cron } as const),
  ].filter((w) => w !== false)
  if (given.length !== 1) throw usage('give exactly one of --hourly, --daily, --weekly, --cron')
  return given[0]!
}

function weekly(text: string): ScheduleWhen {
  const [days, time] = text.split('@')
  const list = (days ?? '').toUpperCase().split(',')
  if (!time || list.some((d) => !(weekDays as readonly string[]).includes(d)))
    throw usage('--weekly is DAYS@HH:MM, e.g. MON,THU@02:00')
  return { kind: 'weekly', days: list as (typeof weekDays)[number][], time }
}

function usage(message: string): Error {
  return new InvalidArgumentError(message)
}

function positive(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1')
  return n
}

function minute(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 59) throw new InvalidArgumentError('a minute 0-59')
  return n
}
