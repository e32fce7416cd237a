import { resolve } from 'node:path'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'
import { contentSecurityPolicy } from './src-main/host/security.js'

const root = import.meta.dirname

/** Dependencies bundled into the main process build instead of loaded from node_modules. */
const BUNDLED_DEPS = ['zod']

/** `vendor-<package>` (a scope's slash as `+`) for a module of a bundled dependency. */
function vendorChunk(moduleId: string): string | null {
  const pkg = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(moduleId)?.[1]
  return pkg ? `vendor-${pkg.replace(/[\\/]/, '+')}` : null
}

/**
 * The built page also carries the CSP as a meta tag: the same policy as the response headers of
 * both doors (app:// and the web host), kept if the page is ever served without them, and visible
 * to static scanners. `frame-ancestors` is header-only (ignored in a meta tag). Build only: the dev
 * server injects inline styles for hot reload.
 */
function cspMetaTag(): Plugin {
  const policy = contentSecurityPolicy()
    .split('; ')
    .filter((d) => !d.startsWith('frame-ancestors'))
    .join('; ')
  return {
    name: 'zsdr-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: policy },
        injectTo: 'head-prepend',
      },
    ],
  }
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Native and keychain modules stay external: they are loaded from node_modules (asar-unpacked).
      // zod is bundled: loaded from node_modules it is ~95 ES modules, 64 of them locales this app never
      // uses, which cost every CLI command that opens the services about 50 ms (#17).
      externalizeDeps: { exclude: BUNDLED_DEPS },
      rollupOptions: {
        input: {
          index: resolve(root, 'src-main/index.ts'),
          // Loaded at run time by URL beside index.js: the cache's sync worker thread and its data source.
          'sync-worker': resolve(root, 'src-main/cache/sync-worker.ts'),
          'zstack-source': resolve(root, 'src-main/cache/zstack-source.ts'),
          // The `zsdr` command, started by bin/zsdr.js without compiling TypeScript (#17).
          cli: resolve(root, 'src-main/cli/main.ts'),
        },
        // Shared chunks beside the entries: modules that find a sibling by URL (the sync worker,
        // the data source) then resolve it the same from any entry.
        // A bundled package gets a chunk of its own, `vendor-<package>-<hash>.js`, so the start-up
        // test's import recorder still names it (tests/harness/record-imports.mjs).
        output: {
          chunkFileNames: '[name]-[hash].js',
          codeSplitting: { groups: [{ name: vendorChunk, debugName: 'vendor' }] },
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload must be a single CommonJS file.
      rollupOptions: {
        input: { preload: resolve(root, 'src-main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
    plugins: [svelte({ configFile: resolve(root, 'src-renderer/svelte.config.js') }), cspMetaTag()],
  },
})
