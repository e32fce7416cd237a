#!/usr/bin/env node
// The `zsdr` command: runs the TypeScript CLI through tsx, so `npx zsdr` works right after `npm install`.
import { register } from 'tsx/esm/api'

register()
await import('../src-main/cli/main.ts')
