// `npm run bench`: every benchmark, one after the other, each printing its figures next to a
// baseline measured in the same run. `--quick` makes fewer runs (for a smoke test, not numbers).

import { runCompilerBench } from './compiler.js';
import { measureGatewayLatency } from './gateway-latency.mjs';

const quick = process.argv.includes('--quick');
console.log(`policyc benchmarks — Node ${process.version}, ${new Date().toISOString()}${quick ? ' (quick)' : ''}`);

runCompilerBench({ quick });

const latency = await measureGatewayLatency(quick ? { calls: 200, warmup: 20 } : { calls: 2000, warmup: 200 });
const ms = (x) => x.toFixed(3);
console.log(`\nGateway, tools/call over stdio (${latency.calls} calls each way, alternated; ms)`);
console.log(`  direct to the upstream   median ${ms(latency.direct.median)}   p99 ${ms(latency.direct.p99)}`);
console.log(`  through policyc serve    median ${ms(latency.gateway.median)}   p99 ${ms(latency.gateway.p99)}`);
console.log(`  ratio                    median ×${latency.ratio.median.toFixed(2)}   p99 ×${latency.ratio.p99.toFixed(2)}`);
console.log(`  added by the gateway     median ${ms(latency.added_ms.median)}   p99 ${ms(latency.added_ms.p99)}`);
