// Development and tests run the TypeScript sources: the worker thread registers tsx first.
import { register } from 'tsx/esm/api'

register()
await import('./sync-worker.ts')
