// `npm run bench`: every benchmark, one after the other, each printing its figures next to a
// baseline measured in the same run (see bench/README.md for what each measures and the targets).
//
//   npm run bench                       everything (about five minutes)
//   npm run bench -- --quick            a short smoke run: fewer calls and runs; not for numbers
//   npm run bench -- --only decision,load
//   npm run bench -- --json FILE        also write every result to FILE
//
// Benchmarks: compiler, decision, gateway, load, stores, audit (what --audit-sync costs).

import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

import { formatAuditDurability, measureAuditDurability } from './audit-durability.mjs';
import { runCompilerBench } from './compiler.js';
import { formatDecisions, measureDecisions } from './decision.mjs';
import { formatLatency, measureGatewayLatency } from './gateway-latency.mjs';
import { formatLimitStores, measureLimitStores } from './limit-stores.mjs';
import { formatLoad, measureLoad } from './load.mjs';

const ALL = ['compiler', 'decision', 'gateway', 'load', 'stores', 'audit'];
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const valueOf = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const only = valueOf('--only')?.split(',') ?? ALL;
const unknown = only.filter((name) => !ALL.includes(name));
if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
const jsonFile = valueOf('--json');

const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
console.log(`policyc benchmarks — ${new Date().toISOString()}${quick ? ' (quick: not for numbers)' : ''}`);
console.log(`machine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}`);

const results = { machine, quick };
if (only.includes('compiler')) results.compiler = runCompilerBench({ quick });
if (only.includes('decision')) {
  results.decision = await measureDecisions(quick ? { calls: 500, rounds: 5 } : { calls: 2000, rounds: 50 });
  console.log(`\n${formatDecisions(results.decision)}`);
}
if (only.includes('gateway')) {
  results.gateway = await measureGatewayLatency(quick ? { calls: 100, warmup: 20, first: 20 } : {});
  console.log(`\n${formatLatency(results.gateway)}`);
}
if (only.includes('load')) {
  results.load = await measureLoad(quick ? { sessions: 10, seconds: 3, warmup: 1 } : { sessions: 50, seconds: 30, warmup: 10 });
  console.log(`\n${formatLoad(results.load)}`);
}
if (only.includes('stores')) {
  results.stores = await measureLimitStores(quick ? { calls: 1000, rounds: 4 } : { calls: 20_000, rounds: 20 });
  console.log(`\n${formatLimitStores(results.stores)}`);
}
if (only.includes('audit')) {
  results.audit = await measureAuditDurability(quick ? { calls: 100, warmup: 20, burstCalls: 200 } : {});
  console.log(`\n${formatAuditDurability(results.audit)}`);
}
if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
