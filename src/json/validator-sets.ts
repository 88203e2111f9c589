// How each JSON Schema validator is compiled: the ajv instances, their options and schemas. Shared
// by the run-time compile (./validators.ts, from source) and the build-time one (./standalone.ts,
// for the bundle), so that the two cannot differ.
//
// The schemas: the published files in grammar/ (draft-07), so that what an editor checks and what
// policyc checks can never drift apart; and the YAML policy schema (draft 2020-12), kept as an
// object beside the YAML front end and published to grammar/ from there.

import { Ajv, type Options } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

import { POLICY_SOURCE_SCHEMA } from '../syntax/yaml/source-schema.js';
import { GRAMMAR_SCHEMA_FILES, POLICY_SOURCE_ID, readGrammarFile, type GrammarSchemaId, type ValidatorId } from './schema-files.js';

/** Schemas compiled by one ajv instance: one JSON Schema draft, one set of options. */
export interface ValidatorSet {
  name: string;
  draft: '07' | '2020-12';
  options: Options;
  /** The schemas to register: under their `$id`, or under `key` for one that has none. */
  schemas: () => { key?: string; schema: object }[];
  /** The validators the set provides: the registered schemas, and refs into them. */
  ids: readonly ValidatorId[];
}

export const VALIDATOR_SETS: readonly ValidatorSet[] = [
  {
    name: 'grammar',
    draft: '07',
    options: { allErrors: true, verbose: true, strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false },
    schemas: () => Object.values(GRAMMAR_SCHEMA_FILES).map((file) => ({ schema: JSON.parse(readGrammarFile(file)) as object })),
    ids: [...(Object.keys(GRAMMAR_SCHEMA_FILES) as GrammarSchemaId[]), 'urn:policyc:schema:policy#/definitions/sourceMap'],
  },
  {
    name: 'policy-source',
    draft: '2020-12',
    // `verbose` gives each error its schema object, which is how the YAML front end tells its
    // oneOfs apart.
    options: { allErrors: true, verbose: true, strict: true, strictRequired: false },
    schemas: () => [{ key: POLICY_SOURCE_ID, schema: POLICY_SOURCE_SCHEMA }],
    ids: [POLICY_SOURCE_ID],
  },
];

export function validatorSetOf(id: ValidatorId): ValidatorSet {
  const set = VALIDATOR_SETS.find((candidate) => candidate.ids.includes(id));
  if (!set) throw new Error(`internal: no validator set has schema ${id}`);
  return set;
}

/** An ajv instance for the set with every schema registered (each compiled when first asked for). */
export function createAjv(set: ValidatorSet, extra: Options = {}): Ajv {
  const options = { ...set.options, ...extra };
  const ajv = set.draft === '2020-12' ? new Ajv2020(options) : new Ajv(options);
  for (const { key, schema } of set.schemas()) ajv.addSchema(schema, key);
  return ajv;
}
