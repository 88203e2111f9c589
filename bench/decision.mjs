#!/usr/bin/env node
// The cost of one decision: the compiled example policy (fixtures/policies/trading.policy.json:
// classes, globs, a condition, limits, an identity block) deciding a mix of calls with policyc's
// enforcer, against Cedar (@cedar-policy/cedar-wasm, the policy engine of AWS Verified
// Permissions) deciding the same calls under the same policy written in Cedar.
//
//   node bench/decision.mjs [--calls N] [--rounds N] [--show-cedar] [--json]
//
// The Cedar policy is translated from the compiled policy.json (cedarPolicies below), so the two
// cannot drift apart: every rule becomes a permit or forbid over the actions (tools) it applies
// to, an identity's rules get `principal == User::"NAME"`, a `hide` becomes a forbid, `approve`
// becomes a permit whose id marks it (Cedar has only allow and deny; an Allow whose reasons include
// an approve rule reads as approve), and conditions become `when` clauses that test `context has`
// before reading an argument (a missing argument makes an allow rule not apply, in both).
// Cedar is given its fastest interface: the policy set parsed once (preparsePolicySet) and each
// request authorized against it (statefulIsAuthorized); policyc is given its compiled policy,
// prepared once (preparePolicy). Both receive request objects built before timing starts.
//
// What Cedar cannot express is left out of the mix, not bent: rate limits (policyc's decision
// names the limits to claim; the limiter is timed separately, below), argument normalisation
// (the mix spells `trd_env` in capitals, as the Futu server would after upper-casing), and
// non-integer numbers (Cedar has only integers).
//
// Timing: every decision is timed on its own with process.hrtime.bigint(), and the cost of the
// timer itself (an empty call timed the same way, in the same run) is subtracted; the mean over
// whole passes, which carries no timer cost, is given beside it.

import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';

import { percentile, wholeNumberOption } from './stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const POLICY_JSON = join(ROOT, 'fixtures', 'policies', 'trading.policy.json');

/** policyc's enforcer, compiled by esbuild from src/ exactly as the CLI bundle compiles it. */
async function loadEnforcer() {
  const folder = await mkdtemp(join(tmpdir(), 'policyc-bench-enforce-'));
  try {
    const out = join(folder, 'enforce.mjs');
    await build({ absWorkingDir: ROOT, entryPoints: ['src/enforce/index.ts'], outfile: out, bundle: true, format: 'esm', platform: 'node', target: 'node20.19', logLevel: 'warning' });
    return await import(pathToFileURL(out).href);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

// --- the Cedar translation ------------------------------------------------------------------------

const str = (text) => JSON.stringify(text);
const action = (tool) => `Action::${str(tool)}`;
const actionSet = (tools) => (tools.length === 1 ? `action == ${action(tools[0])}` : `action in [${tools.map(action).join(', ')}]`);

/** `context.a.b`, guarded by `has` at every step. */
function cedarPath(path) {
  const guards = [];
  let at = 'context';
  for (const key of path) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`cannot translate the path segment ${str(key)} to Cedar`);
    guards.push(`${at} has ${key}`);
    at = `${at}.${key}`;
  }
  return { guards, at };
}

function cedarValue(value) {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new Error(`Cedar has no number ${value}`);
  if (Array.isArray(value)) return `[${value.map(cedarValue).join(', ')}]`;
  return JSON.stringify(value);
}

function cedarCondition(node) {
  if ('and' in node) return `(${node.and.map(cedarCondition).join(' && ')})`;
  if ('or' in node) return `(${node.or.map(cedarCondition).join(' || ')})`;
  if ('not' in node) return `!(${cedarCondition(node.not)})`;
  const { guards, at } = cedarPath(node.path);
  const guarded = (test) => `(${[...guards, test].join(' && ')})`;
  switch (node.op) {
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return guarded(`${at} ${node.op} ${cedarValue(node.value)}`);
    case 'in':
      return guarded(`${cedarValue(node.value)}.contains(${at})`);
    case 'not_in':
      return guarded(`!${cedarValue(node.value)}.contains(${at})`);
    case 'exists':
      return `(${guards.join(' && ')})`;
    default:
      throw new Error(`cannot translate the operator ${node.op} to Cedar`);
  }
}

/** The compiled policy as Cedar static policies, by id (rule ids, `hide…` for hides). */
export function cedarPolicies(policy) {
  if (policy.default !== 'deny') throw new Error('Cedar denies by default; the benchmark translates default-deny policies only');
  const toolsOfRule = new Map();
  const note = (tools, owner) => {
    for (const [tool, entry] of Object.entries(tools ?? {})) {
      for (const id of entry.rules ?? []) {
        const key = `${owner}\u0000${id}`;
        if (!toolsOfRule.has(key)) toolsOfRule.set(key, []);
        toolsOfRule.get(key).push(tool);
      }
    }
  };
  note(policy.tools, '');
  for (const [identity, block] of Object.entries(policy.identities ?? {})) note(block.tools, identity);

  const policies = {};
  const approveIds = new Set();
  const principalOf = (identity) => (identity === undefined ? 'principal' : `principal == User::${str(identity)}`);
  for (const rule of policy.rules) {
    const tools = [...new Set([...(toolsOfRule.get(`\u0000${rule.id}`) ?? []), ...(rule.identity ? toolsOfRule.get(`${rule.identity}\u0000${rule.id}`) ?? [] : [])])].sort();
    if (tools.length === 0) continue;
    const head = `${rule.effect === 'deny' ? 'forbid' : 'permit'} (${principalOf(rule.identity)}, ${actionSet(tools)}, resource)`;
    if (rule.effect === 'deny' && rule.when !== undefined) {
      // policyc applies a deny whose condition cannot be evaluated; Cedar skips a policy that errors.
      throw new Error(`rule ${rule.id}: a conditional deny would fail open in Cedar; not translated`);
    }
    policies[rule.id] = rule.when === undefined ? `${head};` : `${head} when { ${cedarCondition(rule.when)} };`;
    if (rule.effect === 'approve') approveIds.add(rule.id);
  }
  const hides = [[undefined, policy.hide ?? []], ...Object.entries(policy.identities ?? {}).map(([identity, block]) => [identity, block.hide ?? []])];
  hides.forEach(([identity, hidden], i) => {
    if (hidden.includes('*')) policies[`hide${i}`] = `forbid (${principalOf(identity)}, action, resource);`;
    else if (hidden.length > 0) policies[`hide${i}`] = `forbid (${principalOf(identity)}, ${actionSet([...hidden].sort())}, resource);`;
  });
  return { policies, approveIds };
}

// --- the call mix ---------------------------------------------------------------------------------

/** A deterministic pseudo-random sequence, so every run decides the same calls. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Calls shaped like an agent's: mostly market data, some account reads and order queries,
 * orders placed with good and bad arguments, approvals, denied and hidden tools, a tool the
 * server does not have; from the anonymous caller and from research-bot.
 */
export function callMix(policy, count, seed = 5) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const catalogued = policy.catalog.tools;
  const reads = catalogued.filter((tool) => tool.startsWith('get_'));
  const calls = [];
  for (let i = 0; i < count; i++) {
    const identity = next() < 0.3 ? 'research-bot' : 'anonymous';
    const roll = next();
    let tool;
    let args;
    if (roll < 0.45) {
      tool = pick(reads);
      args = { symbols: [pick(['HK.00700', 'US.AAPL', 'US.TSLA'])], num: Math.floor(next() * 100) };
    } else if (roll < 0.75) {
      tool = 'place_order';
      args = { code: pick(['HK.00700', 'US.AAPL', 'US.TSLA']), qty: Math.floor(next() * 200), price: 300, trd_side: pick(['BUY', 'SELL']), trd_env: pick(['SIMULATE', 'SIMULATE', 'REAL']) };
      if (next() < 0.1) delete args[pick(['code', 'qty', 'trd_env'])];
    } else if (roll < 0.85) {
      tool = pick(['modify_order', 'cancel_order']);
      args = { order_id: String(Math.floor(next() * 1e6)), trd_env: 'SIMULATE' };
    } else if (roll < 0.95) {
      tool = pick(['unlock_trade', 'cancel_all_orders', 'get_funds', 'get_positions', 'subscribe']);
      args = { password: 'x' };
    } else {
      tool = 'no_such_tool';
      args = {};
    }
    calls.push({ tool, args, identity });
  }
  return calls;
}

// --- timing ---------------------------------------------------------------------------------------

function timeEach(calls, decideOne, rounds) {
  const samples = new Float64Array(calls.length * rounds);
  let k = 0;
  let sink = 0;
  const passStart = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < calls.length; i++) {
      const start = process.hrtime.bigint();
      const result = decideOne(calls[i]);
      samples[k++] = Number(process.hrtime.bigint() - start);
      if (result) sink++;
    }
  }
  const total = Number(process.hrtime.bigint() - passStart);
  return { samples: Array.from(samples), sink, totalNs: total };
}

/** Mean ns per decision over whole passes, no timer in the loop. */
function timePasses(calls, decideOne, rounds) {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) for (let i = 0; i < calls.length; i++) if (decideOne(calls[i])) sink++;
  return { meanNs: Number(process.hrtime.bigint() - start) / (calls.length * rounds), sink };
}

function summarise(samples, timerNs) {
  const net = samples.map((ns) => Math.max(0, ns - timerNs));
  return { median: percentile(net, 0.5), p99: percentile(net, 0.99) };
}

export async function measureDecisions({ calls: count = 2000, rounds = 50, showCedar = false } = {}) {
  const policy = JSON.parse(readFileSync(POLICY_JSON, 'utf8'));
  const enforce = await loadEnforcer();
  const cedar = await import('@cedar-policy/cedar-wasm/nodejs');
  const prepared = enforce.preparePolicy(policy);
  const { policies, approveIds } = cedarPolicies(policy);
  if (showCedar) for (const [id, text] of Object.entries(policies)) console.log(`// ${id}\n${text}`);

  const parsed = cedar.preparsePolicySet('trading', { staticPolicies: policies });
  if (parsed.type !== 'success') throw new Error(`Cedar rejected the translated policy: ${JSON.stringify(parsed)}`);

  const calls = callMix(policy, count);
  const resource = { type: 'Server', id: policy.catalog.name };
  const requests = calls.map((call) => ({
    principal: { type: 'User', id: call.identity },
    action: { type: 'Action', id: call.tool },
    resource,
    context: call.args,
    preparsedPolicySetId: 'trading',
    entities: [],
  }));

  const policycDecide = (call) => enforce.decide(prepared, call);
  const cedarDecide = (request) => cedar.statefulIsAuthorized(request);
  const cedarOutcome = (answer) => {
    if (answer.type !== 'success') throw new Error(`Cedar failed: ${JSON.stringify(answer.errors)}`);
    if (answer.response.diagnostics.errors.length > 0) throw new Error(`Cedar evaluation errors: ${JSON.stringify(answer.response.diagnostics.errors)}`);
    if (answer.response.decision === 'deny') return 'deny';
    return answer.response.diagnostics.reason.some((id) => approveIds.has(id)) ? 'approve' : 'allow';
  };

  // Both must decide every call of the mix alike before either is timed.
  const tally = { allow: 0, deny: 0, approve: 0 };
  calls.forEach((call, i) => {
    const mine = policycDecide(call).outcome;
    const theirs = cedarOutcome(cedarDecide(requests[i]));
    if (mine !== theirs) throw new Error(`decisions differ on ${JSON.stringify(call)}: policyc ${mine}, Cedar ${theirs}`);
    tally[mine]++;
  });

  // The limiter, for the calls policyc admits: what the gateway adds to a decision.
  const limiter = new enforce.SlidingWindowLimiter();
  let clock = 0;
  const decideAndAdmit = (call) => {
    const decision = enforce.decide(prepared, call);
    if (decision.outcome === 'deny') return decision;
    clock += 1;
    return limiter.tryAdmit(decision.limits, { identity: call.identity, session: 's' }, clock);
  };

  const noop = () => true;
  const warm = Math.max(3, Math.floor(rounds / 10));
  timePasses(calls, policycDecide, warm);
  timePasses(requests, cedarDecide, 1);
  timePasses(calls, decideAndAdmit, warm);

  // The timer's own cost, measured around an empty call in the same loop.
  const timer = summarise(timeEach(calls, noop, rounds).samples, 0).median;
  const cedarRounds = Math.max(1, Math.floor(rounds / 20));
  const results = {
    benchmark: 'decision',
    calls: calls.length,
    outcomes: tally,
    timer_ns: timer,
    policyc: { ...summarise(timeEach(calls, policycDecide, rounds).samples, timer), mean: timePasses(calls, policycDecide, rounds).meanNs, decisions: calls.length * rounds },
    policyc_with_limiter: { ...summarise(timeEach(calls, decideAndAdmit, rounds).samples, timer), mean: timePasses(calls, decideAndAdmit, rounds).meanNs },
    cedar: { ...summarise(timeEach(requests, cedarDecide, cedarRounds).samples, timer), mean: timePasses(requests, cedarDecide, cedarRounds).meanNs, decisions: calls.length * cedarRounds },
    cedar_version: cedar.getCedarVersion(),
    cedar_policies: Object.keys(policies).length,
  };
  results.ratio = { median: results.cedar.median / results.policyc.median, p99: results.cedar.p99 / results.policyc.p99, mean: results.cedar.mean / results.policyc.mean };
  return results;
}

export function formatDecisions(r) {
  const ns = (x) => `${x.toFixed(0)} ns`.padStart(10);
  const row = (name, s) => `  ${name.padEnd(30)} median ${ns(s.median)}   p99 ${ns(s.p99)}   mean ${ns(s.mean)}`;
  return [
    `Decision: the compiled example policy deciding ${r.calls} calls (${r.outcomes.allow} allow, ${r.outcomes.deny} deny, ${r.outcomes.approve} approve; both engines agree on every one); timer cost ${r.timer_ns.toFixed(0)} ns subtracted`,
    row('policyc decide', r.policyc),
    row('policyc decide + limiter', r.policyc_with_limiter),
    row(`Cedar ${r.cedar_version} (preparsed, ${r.cedar_policies} policies)`, r.cedar),
    `  Cedar / policyc                 median ×${r.ratio.median.toFixed(1)}   p99 ×${r.ratio.p99.toFixed(1)}   mean ×${r.ratio.mean.toFixed(1)}`,
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await measureDecisions({ calls: wholeNumberOption('--calls', 2000), rounds: wholeNumberOption('--rounds', 50), showCedar: process.argv.includes('--show-cedar') });
  process.stdout.write(`${process.argv.includes('--json') ? JSON.stringify(result) : formatDecisions(result)}\n`);
}

