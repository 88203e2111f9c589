// The JSON Schema of a YAML policy (SPEC §1.2). It does two jobs: the YAML front end validates
// every file against it (with ajv), and editors read the published copy,
// grammar/policy-source.schema.json, to complete and explain keys (yaml-language-server:
// `# yaml-language-server: $schema=…`). The copy is generated from this object and a test keeps
// the two identical, so what an editor says and what policyc says cannot drift apart.
//
// Values the invalid-limit and unsupported-version checks judge (a limit's numbers, the
// version) are constrained here too, for the editor's sake; the front end turns those particular
// schema errors into the codes the DSL reports for the same mistake.

import { RISKS, TOOL_CLASSES } from '../../catalog/types.js';

export const SCHEMA_FILE = 'grammar/policy-source.schema.json';

/** Where a limit's count and window must lie; the invalid-limit check enforces the same bounds. */
const LIMIT_MAX_COUNT = 1_000_000;

const SELECTOR_EXAMPLES = [
  'place_order',
  'get_order_*',
  ...TOOL_CLASSES.map((name) => `class ${name}`),
  ...RISKS.map((name) => `risk ${name}`),
  'risk >= high',
  '*',
];

const selector = {
  title: 'Tool selector',
  description:
    'Which tools: an exact tool name (`place_order`), a glob with `*` and `?` (`get_order_*`), ' +
    '`class C` (read, write, financial, destructive), `risk R` or `risk >= R` (low, medium, high, critical), ' +
    'or `*` for every tool. Several selectors may be written in one string, separated by commas.',
  type: 'string',
  minLength: 1,
  examples: SELECTOR_EXAMPLES,
};

/** Shared by every place that takes selectors, so the validator can tell which `oneOf` failed. */
export const SELECTORS_ONE_OF = [
  { $ref: '#/$defs/selector' },
  { type: 'array', items: { $ref: '#/$defs/selector' }, minItems: 1 },
];

const selectors = {
  title: 'Tool selectors',
  description: 'One selector, or a list of them. ' + selector.description,
  oneOf: SELECTORS_ONE_OF,
  examples: ['class read', ['get_order_*', 'get_deal_list']],
};

const duration = {
  title: 'Window',
  description: 'The length of the sliding window: a whole number and a unit, `s`, `m`, `h` or `d` (at most 366d).',
  type: 'string',
  pattern: '^[0-9]+[smhd]$',
  examples: ['30s', '1m', '1h', '1d'],
};

const limitProperties = {
  max: {
    title: 'Calls',
    description: `At most this many admitted calls in any window of length \`per\`: a whole number from 1 to ${LIMIT_MAX_COUNT}.`,
    type: 'integer',
    minimum: 1,
    maximum: LIMIT_MAX_COUNT,
    examples: [10, 120],
  },
  per: { $ref: '#/$defs/duration' },
  by: {
    title: 'Counted per',
    description:
      'Whose calls count together: `identity` (each caller on its own; the default), `session` (each MCP session) or `global` (everyone together).',
    enum: ['identity', 'session', 'global'],
    default: 'identity',
  },
};

const ruleLimit = {
  title: 'Rate limit',
  description: 'At most `max` calls of the tools this rule selects in any window of length `per`. Written `limit N per DURATION [by SCOPE]` in the DSL.',
  type: 'object',
  additionalProperties: false,
  required: ['max', 'per'],
  properties: limitProperties,
  examples: [{ max: 10, per: '1m' }],
};

const allLimit = {
  title: 'Limit across all tools',
  description: 'At most `max` calls of any tools together in any window of length `per`. Written `limit all N per DURATION` in the DSL.',
  type: 'object',
  additionalProperties: false,
  required: ['max', 'per'],
  properties: limitProperties,
  examples: [{ max: 120, per: '1m' }],
};

export const EFFECT_KEYS = ['allow', 'deny', 'approve'] as const;

/** A rule has exactly one effect. */
export const RULE_ONE_OF = EFFECT_KEYS.map((effect) => ({ required: [effect] }));

const effectDescription = (effect: string, meaning: string) =>
  `\`${effect}\`: ${meaning} A rule has exactly one of allow, deny and approve.`;

const rule = {
  title: 'Rule',
  description:
    'One rule: exactly one of `allow`, `deny` or `approve` with the tools it is about, and optionally `when`, `limit` and `reason`. ' +
    'The order of rules does not matter: any matching deny wins, then approve, then allow, then `default`.',
  type: 'object',
  additionalProperties: false,
  properties: {
    allow: { ...selectors, title: 'Allow', description: effectDescription('allow', 'these tools may be called (when the condition holds).') },
    deny: { ...selectors, title: 'Deny', description: effectDescription('deny', 'these tools are refused (when the condition holds); a deny always wins.') },
    approve: {
      ...selectors,
      title: 'Approve',
      description: effectDescription('approve', 'a person must say yes to each call of these tools (when the condition holds).'),
    },
    when: {
      title: 'Condition',
      description:
        'A condition on the call\'s arguments, in the DSL\'s syntax: paths (`order.qty`), `== != < <= > >=`, `in [...]`, `not in [...]`, ' +
        '`matches "regex"`, `exists`, `and`, `or`, `not`, parentheses. A condition that cannot be evaluated counts as true for deny and false for allow and approve.',
      type: 'string',
      minLength: 1,
      examples: ['trd_env == "SIMULATE" and qty <= 100', 'code in ["HK.00700", "US.AAPL"]'],
    },
    limit: ruleLimit,
    reason: {
      title: 'Reason',
      description: 'Why the rule exists; a denied call shows it to the agent, and `explain` shows it to a person.',
      type: 'string',
      examples: ['paper trading only, small size'],
    },
  },
  oneOf: RULE_ONE_OF,
  examples: [{ allow: 'class read' }, { deny: 'unlock_trade', reason: 'the trade password must never pass through the model' }],
};

const hide = {
  ...selectors,
  title: 'Hide',
  description: 'Tools removed from the tool list and denied on every call. ' + selector.description,
  examples: ['cancel_all_orders', ['class financial', 'class destructive']],
};

const rules = {
  title: 'Rules',
  description: 'The rules, each with exactly one of `allow`, `deny` or `approve`.',
  type: 'array',
  items: { $ref: '#/$defs/rule' },
};

const identity = {
  title: 'Identity',
  description: 'Extra hides and rules for one caller, on top of the top-level ones.',
  type: 'object',
  additionalProperties: false,
  properties: {
    hide: { $ref: '#/$defs/hide' },
    rules: { $ref: '#/$defs/rules' },
  },
  examples: [{ hide: ['class financial'], rules: [{ deny: 'get_funds', reason: 'no account data for research' }] }],
};

export const POLICY_SOURCE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'policyc policy (YAML)',
  description:
    'A policy for the tool calls of an AI agent through an MCP server, checked and compiled by policyc. ' +
    'The same statements as the .policy DSL, spelt as YAML keys.',
  type: 'object',
  additionalProperties: false,
  properties: {
    version: {
      title: 'Language version',
      description: 'The version of the policy language the file is written in. Only 1 exists.',
      enum: [1, '1'],
      examples: [1],
    },
    server: {
      title: 'Server',
      description: 'The MCP server whose catalogue the policy is checked against (see `policyc catalog list`).',
      type: 'string',
      minLength: 1,
      examples: ['futu-stock-mcp-server'],
    },
    default: {
      title: 'Default',
      description: 'The decision for a call that no rule matches. `deny` is the safe choice; without this key the default is deny.',
      enum: ['deny', 'allow'],
      default: 'deny',
    },
    hide: { $ref: '#/$defs/hide' },
    rules: { $ref: '#/$defs/rules' },
    limits: {
      title: 'Limits across all tools',
      description: 'Rate limits that count the calls of every tool together (`limit all` in the DSL).',
      type: 'array',
      items: allLimit,
    },
    identities: {
      title: 'Identities',
      description: 'Extra hides and rules for particular callers, by identity name.',
      type: 'object',
      propertyNames: { minLength: 1 },
      additionalProperties: { $ref: '#/$defs/identity' },
    },
  },
  $defs: { selector, selectors, hide, duration, rule, rules, identity },
  examples: [
    {
      version: 1,
      server: 'futu-stock-mcp-server',
      default: 'deny',
      rules: [{ allow: 'class read' }],
    },
  ],
};

/** The published file's text: two-space JSON with a final newline. */
export function policySourceSchemaText(): string {
  return JSON.stringify(POLICY_SOURCE_SCHEMA, null, 2) + '\n';
}
