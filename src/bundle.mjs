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
import { mkdir, readdir, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** An older build's chunks may still be loaded by a gateway started from it; leave them a while. */
const STALE_AFTER_MS = 60 * 60 * 1000;

// The bundle is ESM, but ajv, ioredis' helpers and a few others are CommonJS and call
// `require('fs')`; esbuild's shim needs a real `require` in scope to serve those calls.
const requireBanner = "import { createRequire as __policycCreateRequire } from 'node:module'; const require = __policycCreateRequire(import.meta.url);";

/**
 * commander requires node:child_process when it loads, for stand-alone executable subcommands,
 * which policyc does not have; that module drags in net, dgram and their streams (several ms of
 * every start-up). commander gets a stand-in that loads the real module on first use.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'policyc' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'policyc' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

/**
 * The JSON Schema validators, compiled at build time: src/json/validators.ts compiles each schema
 * with ajv on first use (~100 ms for the YAML policy schema); in the bundle it is replaced by the
 * same validators as ajv standalone code, which src/json/standalone.ts generates here.
 */
async function precompiledValidatorsPlugin() {
  // Built beside the bundle, two folders below the root, so that it finds grammar/ as the
  // bundle does; removed at once.
  const generator = join(root, 'dist', 'cli', `.validators-${process.pid}.mjs`);
  await build({
    absWorkingDir: root,
    entryPoints: ['src/json/standalone.ts'],
    outfile: generator,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    banner: { js: requireBanner },
    logLevel: 'warning',
  });
  let generated;
  try {
    generated = (await import(pathToFileURL(generator).href)).standaloneValidators();
  } finally {
    await unlink(generator);
  }
  return {
    name: 'precompiled-validators',
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]json[\\/]validators\.ts$/ }, () => ({
        contents: generated.index,
        loader: 'js',
        resolveDir: join(root, 'src', 'json'),
      }));
      build.onResolve({ filter: /^policyc-validators:/ }, (args) => ({ path: args.path, namespace: 'policyc-validators' }));
      build.onLoad({ filter: /.*/, namespace: 'policyc-validators' }, (args) => ({
        contents: generated.sets[args.path],
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}

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
  // Marks the bundle, for checks that the tests have already made of the same source.
  define: { 'process.env.POLICYC_BUNDLED': '"1"' },
  plugins: [lazyChildProcessForCommander, await precompiledValidatorsPlugin()],
  // Linked maps: `policyc --debug` turns source maps on before loading the program, so stack
  // traces name src/ files and lines; without --debug the maps are never read.
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  write: false,
});

await install(result.outputFiles);
await pruneStale(join(root, 'dist'), new Set(result.outputFiles.map((file) => file.path)));

if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(result.metafile, { verbose: false }));
}

/**
 * Several people (and their test runs) share one checkout, and a test may spawn dist/cli/main.js
 * while someone else rebuilds. So nothing is deleted first and every file appears whole: each is
 * written beside its target and renamed over it, chunks before the entry that imports them.
 */
async function install(files) {
  const entryLast = [...files].sort((a, b) => Number(a.path.endsWith('main.js')) - Number(b.path.endsWith('main.js')));
  for (const file of entryLast) {
    await mkdir(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    // The entry starts with `#!/usr/bin/env node` and is what `npx policyc` and the installed
    // bin run: it must stay executable, as esbuild would have written it.
    const script = file.contents[0] === 0x23 && file.contents[1] === 0x21;
    await writeFile(temporary, file.contents, { mode: script ? 0o755 : 0o644 });
    await rename(temporary, file.path);
  }
}

/** Removes what earlier builds left in dist/ (tsc's per-module output, old chunks) once stale. */
async function pruneStale(folder, keep) {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      await pruneStale(path, keep);
      await rmdir(path).catch(() => {}); // only if now empty
    } else if (!keep.has(path)) {
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > STALE_AFTER_MS) await unlink(path).catch(() => {});
    }
  }
}
