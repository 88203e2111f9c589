import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { POLICY_SOURCE_SCHEMA, policySourceSchemaText } from '../../../src/syntax/yaml/source-schema.js';

const root = new URL('../../../', import.meta.url);
const schemaPath = fileURLToPath(new URL('grammar/policy-source.schema.json', root));
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`fixtures/policies/${name}`, root)), 'utf8');

describe('grammar/policy-source.schema.json', () => {
  test('is the schema the front end validates with (regenerate with UPDATE_GRAMMAR=1)', () => {
    const expected = policySourceSchemaText();
    if (process.env.UPDATE_GRAMMAR === '1') writeFileSync(schemaPath, expected);
    expect(readFileSync(schemaPath, 'utf8')).toBe(expected);
  });

  test('is a valid draft 2020-12 schema that accepts the example policy and rejects a typo', () => {
    const published: unknown = JSON.parse(readFileSync(schemaPath, 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strictRequired: false }).compile(published as object);
    expect(validate(parse(fixture('trading.policy.yaml')))).toBe(true);
    expect(validate({ version: 1, rule: [] })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'rule' } });
  });

  test('explains every key an editor can complete', () => {
    const missing: string[] = [];
    const defs = POLICY_SOURCE_SCHEMA.$defs as Record<string, Record<string, unknown>>;
    const resolve = (schema: Record<string, unknown>) => {
      const ref = schema.$ref;
      return typeof ref === 'string' ? defs[ref.replace('#/$defs/', '')]! : schema;
    };
    const visit = (schema: Record<string, unknown>, where: string, seen: Set<object>) => {
      const resolved = resolve(schema);
      if (seen.has(resolved)) return;
      seen.add(resolved);
      if (typeof resolved.title !== 'string' || typeof resolved.description !== 'string') missing.push(where);
      const properties = (resolved.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [key, child] of Object.entries(properties)) visit(child, `${where}.${key}`, seen);
      for (const keyword of ['items', 'additionalProperties'] as const) {
        const child = resolved[keyword];
        if (typeof child === 'object' && child !== null) visit(child as Record<string, unknown>, `${where}[${keyword}]`, seen);
      }
    };
    visit(POLICY_SOURCE_SCHEMA as unknown as Record<string, unknown>, 'policy', new Set());
    expect(missing).toEqual([]);
  });

  test('closes every mapping: additionalProperties is false or a schema', () => {
    const open: string[] = [];
    JSON.stringify(POLICY_SOURCE_SCHEMA, (key, value: unknown) => {
      if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'object' && !('additionalProperties' in value)) open.push(key);
      return value;
    });
    expect(open).toEqual([]);
  });
});
