export { type Migration, migrate, schemaVersion } from './migrate.js'
export { type Database, openDatabase } from './open.js'
export { Settings } from './settings.js'
