// Every JSON Schema validator policyc uses, by schema id. From source (the tests), a validator is
// compiled with ajv on first use. Compiling is the expensive part of validation (the YAML policy
// schema, with allErrors and verbose errors, takes ~100 ms, more than reading a whole policy), so
// the bundled CLI never compiles: src/bundle.mjs replaces this module with the same validators,
// generated at build time by ./standalone.ts from the same sets (./validator-sets.ts) as ajv's
// standalone code. test/json/validators.test.ts holds the two to the same answers.
//
// This module's exports are what the generated one provides: keep them to `compiledValidator`.

import type { Ajv, ValidateFunction } from 'ajv';

import type { ValidatorId } from './schema-files.js';
import { createAjv, validatorSetOf } from './validator-sets.js';

const instances = new Map<string, Ajv>();

export function compiledValidator(id: ValidatorId): ValidateFunction {
  const set = validatorSetOf(id);
  let ajv = instances.get(set.name);
  if (!ajv) {
    ajv = createAjv(set);
    instances.set(set.name, ajv);
  }
  const validate = ajv.getSchema(id);
  if (!validate) throw new Error(`internal: schema ${id} is not in the ${set.name} set`);
  return validate;
}
