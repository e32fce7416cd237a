import type { LocalizedText } from '../errors/app-error.js'

/**
 * What the CLI says in its own words (a shell has no "Connect" button): why something happened
 * and what to type about it. `{name}` placeholders are filled by `say` (output/lang.ts).
 */
export const messages = {
  noPassword: {
    en: 'no password for {endpoint}. Give it with --password-stdin (first line of stdin) or the ZSDR_PASSWORD environment variable, or save the connection with its password in the app (kept in the system keychain).',
    zh: '{endpoint} 没有密码。请用 --password-stdin（标准输入的第一行）或环境变量 ZSDR_PASSWORD 提供，或在应用中保存连接及其密码（保存在系统钥匙串中）。',
  },
  notAskedNoPassword: {
    en: 'The management node {endpoint} was not asked: no password (give one with --password-stdin or ZSDR_PASSWORD, or save it with the connection in the app).',
    zh: '未询问管理节点 {endpoint}：没有密码（请用 --password-stdin 或 ZSDR_PASSWORD 提供，或在应用中随连接保存）。',
  },
  nodeDidNotAnswer: {
    en: 'The management node {endpoint} did not answer: {error}',
    zh: '管理节点 {endpoint} 没有应答：{error}',
  },
  fromCache: {
    en: 'Answered from the offline cache, synced {age} ({at}).',
    zh: '以上来自离线缓存，同步于{age}（{at}）。',
  },
  fromCacheNever: {
    en: 'Answered from the offline cache, which was never synced (zsdr cache sync {connection}).',
    zh: '以上来自离线缓存，但缓存从未同步（zsdr cache sync {connection}）。',
  },
  offline: {
    en: 'From the offline cache (--offline), synced {age} ({at}).',
    zh: '来自离线缓存（--offline），同步于{age}（{at}）。',
  },
  partial: {
    en: 'Showing {shown} of {total}: use --start and --limit for the rest.',
    zh: '显示 {total} 条中的 {shown} 条：其余请用 --start 和 --limit。',
  },
  maybeMore: {
    en: 'Showing the first {shown}; there may be more: add --reply-with-count to know, --start for the next page.',
    zh: '显示前 {shown} 条，可能还有更多：加 --reply-with-count 查看总数，用 --start 翻页。',
  },
  noRows: { en: 'No matching records.', zh: '没有匹配的记录。' },
  noJobs: { en: 'No jobs started from this app yet.', zh: '本应用尚未发起任何任务。' },
  noBackups: {
    en: 'No backups in the catalog (run zsdr db scan first).',
    zh: '目录中没有备份（请先运行 zsdr db scan）。',
  },
  cacheSynced: {
    en: '{connection}: synced {age}; last full sync {full}, last incremental {incremental}.',
    zh: '{connection}：同步于{age}；上次完整同步 {full}，上次增量同步 {incremental}。',
  },
  cacheNeverSynced: {
    en: '{connection}: never synced (zsdr cache sync {connection}).',
    zh: '{connection}：从未同步（zsdr cache sync {connection}）。',
  },
  lastAttemptFailed: { en: 'The last attempt failed: {error}', zh: '上次尝试失败：{error}' },
} satisfies Record<string, LocalizedText>
