import type { Classified } from './statement-policy.js'

/**
 * Where a statement of one database runs when the restore loads that database over several MySQL
 * sessions at once (`stream-restore.ts`). Creating ~300 tables is most of a ZStack restore and
 * MySQL runs each session's statements on one core, so the tables are spread over sessions:
 *
 * - `table`: the session that loads this table: its CREATE, rows, keys and triggers, in dump order;
 * - `ordered`: one session that runs after every table of the database has loaded: views (they
 *   select from tables), routines and events, in dump order.
 *
 * Each statement runs in exactly one session.
 *
 * Nothing here decides what may run (`statement-policy.ts` did): only where, and only for statements
 * that passed.
 */
export type Route = { to: 'table'; table: string } | { to: 'ordered' }

/** Statement bytes (already serialised for the loader) and the session they go to. */
export interface Emission {
  route: Route
  data: Buffer
}

const ORDERED: Route = { to: 'ordered' }

/**
 * Routes one database's statements in dump order. Session SETs go with the statements they frame
 * (mysqldump saves a setting, sets it, writes one statement, restores it), so each session has the
 * settings a single-session load would have for the statements it runs:
 *
 * - a SET that restores a saved value (`x = @saved`) ends the statement before it: it goes where
 *   that statement went;
 * - any other SET prepares the next statement: it waits, and goes where that statement goes.
 *
 * `LOCK TABLES` is dropped: with several sessions, a table locked in one while another creates a
 * table with a foreign key to it fails (MariaDB re-checks the locked set: error 1100), and for InnoDB
 * the lock only saved time. A `DROP ... IF EXISTS` of an object this load has not created yet is
 * dropped too: the database was just created empty, so it would do nothing; a DROP of an object the
 * load created runs in the session that created it, after it.
 *
 * `ALTER TABLE ... DISABLE/ENABLE KEYS` of a table created `ENGINE=InnoDB` is dropped as well: InnoDB
 * ignores both (MariaDB answers with a note), yet each is a round trip and a table open in its
 * session. On the 20,000-row ZStack dump they were 582 of its statements and 0.17 s of a one-session
 * load (0.77 against 0.60 s, MariaDB 10.11). For other engines (MyISAM, Aria) they are kept: there
 * they defer index building to the end of the load.
 */
export class LoadRouter {
  /** Where each object created so far was created: `relation:name` (tables and views share names), `trigger:name`... */
  private readonly createdIn = new Map<string, Route>()
  /** Tables created `ENGINE=InnoDB` in this load: their DISABLE/ENABLE KEYS would do nothing. */
  private readonly innodbTables = new Set<string>()
  private pendingSets: Buffer[] = []
  /** Where the last statement routed went. */
  private last: Route | null = null

  /**
   * The dump selects this database (again): what follows is not the end of the statement before, and
   * SETs waiting for a statement were written for another.
   */
  enter(): void {
    this.last = null
    this.pendingSets = []
  }

  route(c: Classified, data: Buffer): Emission[] {
    if (c.kind === 'set') {
      if (!restoresSaved(data.toString('latin1'))) {
        this.pendingSets.push(data)
        return []
      }
      return this.last ? [{ route: this.last, data }] : []
    }
    const route = this.target(c)
    if (!route) return []
    const out: Emission[] = []
    if (this.pendingSets.length > 0) out.push({ route, data: Buffer.concat(this.pendingSets) })
    this.pendingSets = []
    this.last = route
    out.push({ route, data })
    return out
  }

  /** Where a statement other than SET runs; null: nowhere (see the class comment). */
  private target(c: Classified): Route | null {
    const name = c.name as string
    switch (c.kind) {
      case 'lock_tables':
      case 'unlock_tables':
        return null
      case 'drop_object':
        return this.createdIn.get(objectKey(c.objectType, name)) ?? null
      case 'create_table':
        if (c.engine === 'innodb') this.innodbTables.add(name)
        return this.created('TABLE', name, tableRoute(name))
      case 'alter_keys':
        return this.innodbTables.has(name) ? null : tableRoute(name)
      case 'insert':
        return tableRoute(name)
      case 'create_trigger':
        return this.created('TRIGGER', name, c.table ? tableRoute(c.table) : (this.last ?? ORDERED))
      default:
        // Views, routines, events: they may read any table, so they run after all of them.
        return this.created(c.objectType ?? 'VIEW', name, ORDERED)
    }
  }

  private created(type: string, name: string, route: Route): Route {
    this.createdIn.set(objectKey(type, name), route)
    return route
  }
}

/** A SET that puts back a value saved earlier (`x = @saved`, not `= @@system`): it ends what it framed. */
export function restoresSaved(sql: string): boolean {
  return /=\s*@(?!@)/.test(sql)
}

function tableRoute(table: string): Route {
  return { to: 'table', table }
}

/** Tables and views share one namespace in MySQL; triggers, procedures, functions and events have their own. */
function objectKey(type: string | null, name: string): string {
  const space = type === 'TABLE' || type === 'VIEW' || type === null ? 'relation' : type.toLowerCase()
  return `${space}:${name}`
}

/** Whether two statements go to the same session, so consecutive ones can be joined. */
export function sameRoute(a: Route | null, b: Route | null): boolean {
  if (a === null || b === null) return a === b
  return a.to === 'table' ? b.to === 'table' && a.table === b.table : b.to === 'ordered'
}
