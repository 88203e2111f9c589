// `npm run build`, second step (after `tsc --noEmit` has type-checked): bundles the CLI with
// esbuild into dist/cli/, so that `policyc` loads a handful of files instead of hundreds.
// chevrotain's ESM entry alone imports some 300 lodash-es modules one by one (~550 ms); bundled,
// the whole parser loads in a few milliseconds.
//
// Code splitting keeps every command's heavy modules (the parser, the YAML reader, ajv, the MCP
// SDK) in chunks that load only when a command imports them with `await import(…)`, so
// `policyc --version` reads the entry and commander and nothing else.
//
// Every output file lands in dist/cli/ on purpose: modules that find package files relative to
// `import.meta.url` (`../../package.json`, `../../grammar/`) resolve the same from src/<dir>/,
// from dist/cli/ and from any chunk beside it.

import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// The bundle is ESM, but ajv, ioredis' helpers and a few others are CommonJS and call
// `require('fs')`; esbuild's shim needs a real `require` in scope to serve those calls.
const requireBanner = "import { createRequire as __policycCreateRequire } from 'node:module'; const require = __policycCreateRequire(import.meta.url);";

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // Native or optional at run time: better-sqlite3 ships a compiled addon; ioredis is loaded
  // only by a gateway given --redis, and stays an ordinary dependency.
  external: ['better-sqlite3', 'ioredis'],
  banner: { js: requireBanner },
  // Linked maps: `policyc --debug` turns source maps on before loading the program, so stack
  // traces name src/ files and lines; without --debug the maps are never read.
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(result.metafile, { verbose: false }));
}
