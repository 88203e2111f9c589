// Preloaded into a gateway by bench/promoted.mjs (`node --import`): runs V8's sampling heap
// profiler in the process, from POLICYC_SAMPLE_AFTER_MS for POLICYC_SAMPLE_FOR_MS, keeping only
// what no young-generation collection freed, and writes the profile to POLICYC_SAMPLE_OUT.

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));

setTimeout(async () => {
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 2048, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
  setTimeout(async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    writeFileSync(process.env.POLICYC_SAMPLE_OUT, JSON.stringify(profile));
  }, Number(process.env.POLICYC_SAMPLE_FOR_MS));
}, Number(process.env.POLICYC_SAMPLE_AFTER_MS)).unref();
