// A safe starting policy for a catalogue (`policyc init`): default deny; harmless reads allowed;
// reads of sensitive data, every change, and everything financial or destructive under a
// person's approval; tools that take a secret hidden; one `limit all`. Each block says why in a
// comment. Pure: catalogue in, DSL text out; `policyc init` lints the text before writing it.
//
// Selectors: `class C` where the whole class is treated alike (it stays right when a reviewed
// catalogue gains a tool), tool names where the class is split (a secret-taking tool is hidden,
// so a class selector would also approve a hidden tool, which lint reports as pointless).

import type { Catalog, CatalogTool, ToolClass } from '../catalog/types.js';

export interface TemplateOptions {
  /** The catalogue file, when it is not built in: the policy says how to lint against it. */
  catalogFile?: string;
}

/** Every call of every tool together, per caller: generous for an assistant, a brake for a loop. */
export const DEFAULT_LIMIT = { max: 120, per: '1m' } as const;

/** Words of the DSL that a tool name must not be written as bare (tokens.ts `KEYWORDS`). */
const KEYWORDS = new Set([
  'version', 'server', 'default', 'hide', 'allow', 'deny', 'approve', 'when', 'limit', 'per', 'by', 'reason', 'identity', 'class',
  'risk', 'and', 'or', 'not', 'in', 'matches', 'exists', 'true', 'false', 'null', 'all',
]);

/** The DSL's bare name (tokens.ts `Name`); anything else is written as a string. */
const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;

/** How far a list of names runs before it wraps onto an indented line. */
const LINE_WIDTH = 96;

export function toolSelector(name: string): string {
  return BARE_NAME.test(name) && !KEYWORDS.has(name) ? name : JSON.stringify(name);
}

interface Plan {
  /** Harmless reads: allowed. */
  allowed: CatalogTool[];
  /** Reads of something sensitive (high or critical risk): approved. */
  sensitiveReads: CatalogTool[];
  writes: CatalogTool[];
  /** Financial and destructive tools, and tools of critical risk. */
  dangerous: CatalogTool[];
  /** Tools that take a secret: hidden, whatever their class. */
  hidden: CatalogTool[];
}

function plan(catalog: Catalog): Plan {
  const result: Plan = { allowed: [], sensitiveReads: [], writes: [], dangerous: [], hidden: [] };
  for (const tool of catalog.tools) {
    if ((tool.secrets?.length ?? 0) > 0) result.hidden.push(tool);
    else if (tool.class === 'financial' || tool.class === 'destructive' || tool.risk === 'critical') result.dangerous.push(tool);
    else if (tool.class === 'write') result.writes.push(tool);
    else if (tool.risk === 'high') result.sensitiveReads.push(tool);
    else result.allowed.push(tool);
  }
  return result;
}

export function startingPolicy(catalog: Catalog, options: TemplateOptions = {}): string {
  const chosen = plan(catalog);
  const title = catalog.title ?? catalog.name;
  const out: string[] = comment(
    `A starting policy for ${title}, written by \`policyc init\`. Default deny: a tool no rule names is refused, ` +
      'including tools the server adds later. Harmless reads are allowed; everything else waits for a person\'s yes; ' +
      'tools that take a secret are hidden. Check it with `policyc lint`, try calls with `policyc explain`, then narrow ' +
      'or open it to what the agent needs.',
  );
  if (options.catalogFile !== undefined) {
    out.push(...comment(`The catalogue is ${options.catalogFile}: lint with \`--catalog ${options.catalogFile}\`, or list it under \`catalogs:\` in policyc.config.yaml.`));
  }
  const unreviewed = catalog.tools.filter((tool) => !tool.reviewed).length;
  if (unreviewed > 0) {
    out.push(...comment(`${unreviewed} of its ${catalog.tools.length} tools are unreviewed guesses: review the catalogue first, this policy trusts it.`));
  }
  out.push('version 1', `server ${JSON.stringify(catalog.name)}`, 'default deny');

  if (chosen.allowed.length > 0) {
    out.push('', ...comment(`Reading: ${describe(chosen.allowed)}, with no side effects.`));
    out.push(statement('allow', selectorsFor(catalog, chosen.allowed)));
  }
  if (chosen.sensitiveReads.length > 0) {
    out.push('', ...comment(`Reading something sensitive (high risk: ${names(chosen.sensitiveReads)}) can hand secrets or personal data to the model, so a person approves each call.`));
    out.push(statement('approve', selectorsFor(catalog, chosen.sensitiveReads)), '  reason "reads sensitive data: a person approves each call"');
  }
  if (chosen.writes.length > 0) {
    out.push('', ...comment(`Changing state: ${describe(chosen.writes)}. A person approves each call.`));
    out.push(statement('approve', selectorsFor(catalog, chosen.writes)), '  reason "changes state: a person approves each call"');
  }
  if (chosen.dangerous.length > 0) {
    out.push('', ...comment(`Money and what cannot be undone: ${describe(chosen.dangerous)}. A person approves each call.`));
    const trading = chosen.dangerous.filter((tool) => tool.tradingEnvironment !== undefined);
    if (trading.length > 0) {
      const environments = [...new Set(trading.map((tool) => `${tool.tradingEnvironment!.param} == ${JSON.stringify(tool.tradingEnvironment!.safe[0])}`))].join(', ');
      out.push(...comment(`The trading tools (${names(trading)}) stay under approval even in simulation: an allow pinned to ${environments} would be a separate, deliberate decision.`));
    }
    out.push(statement('approve', selectorsFor(catalog, chosen.dangerous)), '  reason "moves money or cannot be undone: a person approves each call"');
  }
  if (chosen.hidden.length > 0) {
    out.push('', ...comment('Hidden: these tools take a secret as an argument, and a secret must never pass through the model.'));
    for (const tool of chosen.hidden) out.push(`#   ${tool.name} takes ${(tool.secrets ?? []).join(', ')}`);
    out.push(...comment('Do what they do out of band (for a trading account: unlock it in the broker\'s own client).'));
    out.push(statement('hide', chosen.hidden.map((tool) => toolSelector(tool.name))));
  }
  out.push('', ...comment(`At most ${DEFAULT_LIMIT.max} calls a minute across every tool together, per caller: a brake for a looping agent.`));
  out.push(`limit all ${DEFAULT_LIMIT.max} per ${DEFAULT_LIMIT.per}`);
  return `${out.join('\n')}\n`;
}

/** `# …` lines of at most LINE_WIDTH characters. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > LINE_WIDTH && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line = `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/**
 * `class C, …` when `tools` are the whole of each of their classes in the catalogue (the class
 * selector then says the same and stays right as the reviewed catalogue grows); names otherwise.
 */
function selectorsFor(catalog: Catalog, tools: readonly CatalogTool[]): string[] {
  const classes = [...new Set(tools.map((tool) => tool.class))];
  const count = (list: readonly CatalogTool[], klass: ToolClass): number => list.filter((tool) => tool.class === klass).length;
  const whole = classes.every((klass) => count(catalog.tools, klass) === count(tools, klass));
  return whole ? classes.map((klass) => `class ${klass}`) : tools.map((tool) => toolSelector(tool.name));
}

/** `allow a, b, c` wrapped onto indented lines when the list is long. */
function statement(keyword: string, selectors: readonly string[]): string {
  const lines: string[] = [];
  let line = keyword;
  selectors.forEach((selector, index) => {
    const piece = `${selector}${index < selectors.length - 1 ? ',' : ''}`;
    if (line.length + 1 + piece.length > LINE_WIDTH && line !== keyword && line.trim() !== '') {
      lines.push(line);
      line = `   ${piece}`;
    } else {
      line = `${line} ${piece}`;
    }
  });
  lines.push(line);
  return lines.join('\n');
}

function names(tools: readonly CatalogTool[]): string {
  const shown = tools.slice(0, 4).map((tool) => tool.name);
  return tools.length > 4 ? `${shown.join(', ')} and ${tools.length - 4} more` : shown.join(', ');
}

/** "38 read tools", "place_order (financial), cancel_order (destructive)". */
function describe(tools: readonly CatalogTool[]): string {
  if (tools.length > 4) {
    const classes = [...new Set(tools.map((tool) => tool.class))];
    return `${tools.length} ${classes.join(' and ')} tools`;
  }
  return tools.map((tool) => `${tool.name} (${tool.class})`).join(', ');
}
