import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** policyc's version, from its package.json (the same path from src/cli and dist/cli). */
export function packageVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
