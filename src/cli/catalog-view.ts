// Catalogues as text for `policyc catalog list|show`: a table of catalogues, a table of one
// catalogue's tools, and everything about one tool (its parameters, required ones marked, enums,
// secrets, trading environment, normalisation, rationale).

import type { Capability, Catalog, CatalogTool } from '../catalog/types.js';
import { isLeaf, type Condition } from '../model/condition.js';
import type { JsonValue } from '../model/json.js';

/** Where a catalogue comes from, as `catalog list` shows it. */
export type CatalogOrigin = { kind: 'builtin' } | { kind: 'config'; file: string; config: string } | { kind: 'file'; file: string };

export interface KnownCatalog {
  catalog: Catalog;
  origin: CatalogOrigin;
}

export function originText(origin: CatalogOrigin, catalog: Catalog): string {
  switch (origin.kind) {
    case 'builtin': {
      const facts = catalog.source;
      const what = typeof facts?.package === 'string' ? `${facts.package}${typeof facts.version === 'string' ? ` ${facts.version}` : ''}` : '';
      return what === '' ? 'built-in' : `built-in (${what})`;
    }
    case 'config':
      return `${origin.file} (from ${origin.config})`;
    case 'file':
      return origin.file;
  }
}

export function unreviewedCount(catalog: Catalog): number {
  return catalog.tools.filter((tool) => !tool.reviewed).length;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function renderCatalogList(known: readonly KnownCatalog[]): string {
  const rows = known.map(({ catalog, origin }) => [
    catalog.name,
    catalog.title ?? '',
    String(catalog.tools.length),
    String(unreviewedCount(catalog)),
    originText(origin, catalog),
  ]);
  return table(['name', 'title', 'tools', 'unreviewed', 'source'], rows);
}

export function renderCatalogTools(entry: KnownCatalog): string {
  const { catalog } = entry;
  const unreviewed = unreviewedCount(catalog);
  const heading = `${catalog.name}${catalog.title ? ` — ${catalog.title}` : ''}: ${catalog.tools.length} tools, ${originText(entry.origin, catalog)}`;
  const rows = catalog.tools.map((tool) => [tool.name, tool.class, tool.risk, tool.capabilities.map(capabilityText).join(', '), notesOf(tool)]);
  const lines = [heading, '', table(['tool', 'class', 'risk', 'capabilities', 'notes'], rows)];
  if (unreviewed > 0) {
    lines.push('', `${unreviewed} of ${catalog.tools.length} tools are guesses nobody has reviewed ("unreviewed" above): check their class, risk and secrets, then set "reviewed": true in the catalogue.`);
  }
  return lines.join('\n');
}

function notesOf(tool: CatalogTool): string {
  const notes: string[] = [];
  if (tool.secrets && tool.secrets.length > 0) notes.push(`secret: ${tool.secrets.join(', ')}`);
  if (tool.tradingEnvironment) notes.push(`trading env: ${tool.tradingEnvironment.param} (safe ${tool.tradingEnvironment.safe.join(', ')})`);
  if (!tool.reviewed) notes.push('unreviewed');
  return notes.join('; ');
}

function capabilityText(capability: Capability): string {
  return capability.when === undefined ? capability.name : `${capability.name} when ${conditionText(capability.when)}`;
}

export function renderTool(catalog: Catalog, tool: CatalogTool): string {
  const field = (name: string, value: string): string => `  ${name.padEnd(13)} ${value}`;
  const lines = [`${tool.name} — ${catalog.name}`];
  if (tool.description !== '') lines.push(`  ${oneLine(tool.description)}`);
  lines.push('', field('class', tool.class), field('risk', tool.risk));
  if (tool.group !== undefined) lines.push(field('group', tool.group));
  lines.push(field('capabilities', tool.capabilities.length === 0 ? 'none listed' : tool.capabilities.map(capabilityText).join(', ')));
  lines.push(field('secrets', tool.secrets && tool.secrets.length > 0 ? tool.secrets.join(', ') : 'none'));
  if (tool.tradingEnvironment) lines.push(field('trading env', `${tool.tradingEnvironment.param}; safe: ${tool.tradingEnvironment.safe.join(', ')}`));
  const normalised = Object.entries(tool.normalize ?? {});
  if (normalised.length > 0) lines.push(field('normalised', normalised.map(([param, how]) => `${param} (${how})`).join(', ')));
  lines.push(field('reviewed', tool.reviewed ? 'yes' : 'no: a guess by `policyc catalog import`'));
  if (tool.rationale !== undefined) lines.push(field('rationale', oneLine(tool.rationale)));
  if (tool.notes !== undefined) lines.push(field('notes', oneLine(tool.notes)));

  const parameters = parameterRows(tool);
  lines.push('');
  if (parameters.length === 0) lines.push('parameters: none');
  else lines.push('parameters (* required):', indent(table(['name', 'type', 'notes', 'values and description'], parameters), '  '));
  return lines.join('\n');
}

type Schema = { [key: string]: JsonValue };

function isSchema(value: JsonValue | undefined): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parameterRows(tool: CatalogTool): string[][] {
  const properties = tool.inputSchema.properties;
  if (!isSchema(properties)) return [];
  const required = new Set(Array.isArray(tool.inputSchema.required) ? tool.inputSchema.required.filter((name) => typeof name === 'string') : []);
  const secrets = new Set(tool.secrets ?? []);
  return Object.entries(properties).map(([name, value]) => {
    const schema = isSchema(value) ? value : {};
    const notes: string[] = [];
    if (secrets.has(name)) notes.push('secret');
    if (tool.tradingEnvironment?.param === name) notes.push('trading env');
    const normalised = tool.normalize?.[name];
    if (normalised !== undefined) notes.push(`normalised ${normalised}`);
    const values = valuesText(schema);
    const description = typeof schema.description === 'string' ? oneLine(schema.description) : '';
    // Enums can be long: they go in the last, unpadded column, so the others stay narrow.
    const details = [values === '' ? '' : `one of ${values}.`, description].filter((part) => part !== '').join(' ');
    return [`${name}${required.has(name) ? ' *' : ''}`, typeText(schema), notes.join(', '), details];
  });
}

function branchesOf(schema: Schema): Schema[] {
  const branches = [schema.anyOf, schema.oneOf].flatMap((list) => (Array.isArray(list) ? list.filter(isSchema) : []));
  return branches.length > 0 ? branches : [schema];
}

function typeText(schema: Schema): string {
  const types = new Set<string>();
  for (const branch of branchesOf(schema)) {
    const type = branch.type;
    if (typeof type === 'string') types.add(type === 'array' && isSchema(branch.items) && typeof branch.items.type === 'string' ? `${branch.items.type}[]` : type);
    else if (Array.isArray(type)) for (const item of type) if (typeof item === 'string') types.add(item);
  }
  return types.size === 0 ? 'any' : [...types].join('|');
}

function valuesText(schema: Schema): string {
  const values: string[] = [];
  for (const branch of branchesOf(schema)) {
    if (Array.isArray(branch.enum)) values.push(...branch.enum.map((value) => JSON.stringify(value)));
    if (branch.const !== undefined) values.push(JSON.stringify(branch.const));
  }
  return values.join(', ');
}

/** A catalogue condition in the DSL's words: `modify_order_op == "CANCEL"`. */
export function conditionText(condition: Condition): string {
  if (isLeaf(condition)) {
    const path = condition.path.join('.');
    switch (condition.op) {
      case 'exists':
        return `${path} exists`;
      case 'in':
        return `${path} in [${condition.value.map((value) => JSON.stringify(value)).join(', ')}]`;
      case 'not_in':
        return `${path} not in [${condition.value.map((value) => JSON.stringify(value)).join(', ')}]`;
      default:
        return `${path} ${condition.op} ${JSON.stringify(condition.value)}`;
    }
  }
  if ('and' in condition) return condition.and.map((part) => grouped(part, 'and')).join(' and ');
  if ('or' in condition) return condition.or.map((part) => grouped(part, 'or')).join(' or ');
  return `not (${conditionText(condition.not)})`;
}

function grouped(condition: Condition, within: 'and' | 'or'): string {
  const text = conditionText(condition);
  const other = within === 'and' ? 'or' : 'and';
  return other in condition ? `(${text})` : text;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}
