import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import { paramTypes, parameterNames, type ParamTypes } from '../../src/catalog/schema-types.js';

const futu = builtinCatalog('futu-stock-mcp-server')!;
const schemaOf = (name: string) => futu.tools.find((tool) => tool.name === name)!.inputSchema;

/** A readable summary: sorted types, and the listed values per type. */
function summary(types: ParamTypes | undefined): unknown {
  if (types === undefined) return undefined;
  const result: Record<string, unknown> = { types: [...types.types].sort() };
  for (const [type, values] of types.enums) result[type] = values;
  if (types.items) result.items = summary(types.items);
  return result;
}

const ALL = ['array', 'boolean', 'null', 'number', 'object', 'string'];

describe('paramTypes on the Futu catalogue', () => {
  it('a plain number (integer counts as number)', () => {
    expect(summary(paramTypes(schemaOf('place_order'), ['qty']))).toEqual({ types: ['number'] });
    expect(summary(paramTypes(schemaOf('place_order'), ['acc_id']))).toEqual({ types: ['number'] });
  });

  it('anyOf an enum string and null', () => {
    expect(summary(paramTypes(schemaOf('place_order'), ['trd_env']))).toEqual({ types: ['null', 'string'], string: ['REAL', 'SIMULATE'] });
  });

  it('an array of enum strings, or null', () => {
    expect(summary(paramTypes(schemaOf('get_order_list'), ['status_filter_list']))).toMatchObject({
      types: ['array', 'null'],
      items: { types: ['string'] },
    });
  });

  it('a missing parameter, and a path into a string', () => {
    expect(paramTypes(schemaOf('place_order'), ['qtty'])).toBeUndefined();
    expect(paramTypes(schemaOf('place_order'), ['code', 'x'])).toBeUndefined();
    expect(paramTypes(schemaOf('get_funds'), ['anything'])).toBeUndefined();
  });

  it('arrays are not indexed', () => {
    expect(paramTypes(schemaOf('get_stock_filter'), ['base_filters', 'field_name'])).toBeUndefined();
    expect(paramTypes(schemaOf('get_stock_quote'), ['symbols', '0'])).toBeUndefined();
  });

  it('the whole arguments object', () => {
    expect(summary(paramTypes(schemaOf('place_order'), []))).toEqual({ types: ['object'] });
  });
});

describe('paramTypes on hand-written schemas', () => {
  it('nullable (OpenAPI) adds null', () => {
    expect(summary(paramTypes({ type: 'object', properties: { a: { type: 'string', nullable: true } } }, ['a']))).toEqual({ types: ['null', 'string'] });
  });

  it('type lists and const', () => {
    const schema = { type: 'object', properties: { a: { type: ['string', 'integer'] }, b: { const: 'X' } } };
    expect(summary(paramTypes(schema, ['a']))).toEqual({ types: ['number', 'string'] });
    expect(summary(paramTypes(schema, ['b']))).toEqual({ types: ['string'], string: ['X'] });
  });

  it('an enum without a type says its types', () => {
    expect(summary(paramTypes({ properties: { a: { enum: ['x', 1, null] } } }, ['a']))).toEqual({ types: ['null', 'number', 'string'], number: [1], null: [null], string: ['x'] });
  });

  it('a type some branches enumerate and others do not is not enumerated', () => {
    const schema = { properties: { a: { oneOf: [{ type: 'string', enum: ['A'] }, { type: 'string' }] } } };
    expect(summary(paramTypes(schema, ['a']))).toEqual({ types: ['string'] });
  });

  it('allOf intersects', () => {
    const schema = { properties: { a: { allOf: [{ type: ['string', 'number'] }, { type: 'string', enum: ['A', 'B'] }, { enum: ['B', 'C'] }] } } };
    expect(summary(paramTypes(schema, ['a']))).toEqual({ types: ['string'], string: ['B'] });
  });

  it('nested objects, anyOf objects, and extra keys', () => {
    const schema = {
      type: 'object',
      properties: {
        order: { anyOf: [{ type: 'object', properties: { qty: { type: 'number' } } }, { type: 'object', properties: { qty: { type: 'string' } } }] },
        meta: { type: 'object', additionalProperties: { type: 'boolean' } },
        closed: { type: 'object', properties: { a: {} }, additionalProperties: false },
      },
    };
    expect(summary(paramTypes(schema, ['order', 'qty']))).toEqual({ types: ['number', 'string'] });
    expect(summary(paramTypes(schema, ['meta', 'anything']))).toEqual({ types: ['boolean'] });
    expect(paramTypes(schema, ['closed', 'b'])).toBeUndefined();
    expect(summary(paramTypes(schema, ['closed', 'a']))).toEqual({ types: ALL });
  });

  it('what it does not understand means anything', () => {
    expect(summary(paramTypes({ properties: { a: { $ref: '#/defs/x' } } }, ['a']))).toEqual({ types: ALL });
    expect(summary(paramTypes({ properties: { a: { $ref: '#/defs/x' } } }, ['a', 'b', 'c']))).toEqual({ types: ALL });
    expect(summary(paramTypes({}, ['x']))).toEqual({ types: ALL });
    expect(summary(paramTypes(undefined, ['x']))).toEqual({ types: ALL });
    expect(summary(paramTypes({ type: 'object', patternProperties: { '^x': {} }, properties: {} }, ['xy']))).toEqual({ types: ALL });
  });

  it('a false schema admits nothing', () => {
    expect(paramTypes({ properties: { a: false } }, ['a'])).toBeUndefined();
  });
});

describe('parameterNames', () => {
  it('lists the properties at a path', () => {
    expect(parameterNames(schemaOf('cancel_order'))).toEqual(['acc_id', 'acc_index', 'order_id', 'price', 'qty', 'trd_env']);
    expect(parameterNames({ properties: { o: { anyOf: [{ properties: { b: {} } }, { properties: { a: {} } }] } } }, ['o'])).toEqual(['a', 'b']);
    expect(parameterNames(schemaOf('place_order'), ['nothing'])).toEqual([]);
  });
});
