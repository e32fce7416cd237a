/**
 * Dates in the cache: the node's wall-clock time as "wall ms" (see `src-shared/query/dates.ts`),
 * so `createDate>...` and `sort=-createDate` order rows as the server does.
 */
export { gsonToWallMs, nodeDateToWallMs } from '../../src-shared/query/dates.js'

/** The SQL text form MySQL gives a DATETIME (`2017-11-14 22:20:57`), for LIKE on a date field. */
export const WALL_MS_AS_MYSQL_TEXT = (column: string) =>
  `strftime('%Y-%m-%d %H:%M:%S', ${column} / 1000, 'unixepoch')`
