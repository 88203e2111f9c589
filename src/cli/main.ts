#!/usr/bin/env node
// The `policyc` executable. It stays tiny and imports the program only after deciding on source
// maps: Node applies them only to modules loaded after they are turned on, and reading the
// bundle's maps costs start-up time that only --debug stack traces need.

if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);

// `policyc lint | head`: a reader that stops early is not an error of policyc's.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const { main } = await import('./program.js');
process.exitCode = await main(process.argv);
