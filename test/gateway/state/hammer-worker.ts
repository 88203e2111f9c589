// A separate process calling one shared store (several of these at once must stay exact).
//   node hammer-worker.mjs sqlite FILE CALLS   |   node hammer-worker.mjs redis URL CALLS
// Opens the store, prints "ready", waits for a line on stdin, makes CALLS tryAdmits at once under
// `limit 10 per 1m` (global), and prints {"admitted":…,"refused":…,"errors":[…]}.
// hammer.ts bundles this file with esbuild, since a spawned node cannot run TypeScript.

import type { LimitClaim } from '../../../src/enforce/index.js';
import type { LimitStore } from '../../../src/gateway/state/limit-store.js';
import { RedisLimitStore } from '../../../src/gateway/state/redis.js';
import { SqliteLimitStore } from '../../../src/gateway/state/sqlite.js';

const [kind, where = '', calls = '0'] = process.argv.slice(2);
const store: LimitStore = kind === 'sqlite' ? SqliteLimitStore.open(where) : await RedisLimitStore.open(where);

const claims: LimitClaim[] = [{ id: 'r1', key: 'hammer', max: 10, per: '1m', window_ms: 60_000, by: 'global' }];
const who = { identity: `pid-${process.pid}`, session: `pid-${process.pid}` };

process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const results = await Promise.allSettled(Array.from({ length: Number(calls) }, () => store.tryAdmit(claims, who)));
const admitted = results.filter((r) => r.status === 'fulfilled' && r.value.admitted).length;
const refused = results.filter((r) => r.status === 'fulfilled' && !r.value.admitted).length;
const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
process.stdout.write(`${JSON.stringify({ admitted, refused, errors })}\n`);
await store.close();
process.stdin.destroy();
