// The schemas policyc validates against, by id, and where the published ones live. Kept apart
// from ajv so that modules which only name a schema do not load the compiler.

import { readFileSync } from 'node:fs';

/** The schema files in grammar/, by their `$id`. */
export const GRAMMAR_SCHEMA_FILES = {
  'urn:policyc:schema:policy': 'policy.schema.json',
  'urn:policyc:schema:catalog': 'catalog.schema.json',
  'urn:policyc:schema:policy-tests': 'policy-tests.schema.json',
  'urn:policyc:schema:config': 'policyc-config.schema.json',
} as const;

export type GrammarSchemaId = keyof typeof GRAMMAR_SCHEMA_FILES;

/** The id the YAML policy schema is registered under (the object itself has no `$id`). */
export const POLICY_SOURCE_ID = 'urn:policyc:schema:policy-source';

export type ValidatorId = GrammarSchemaId | 'urn:policyc:schema:policy#/definitions/sourceMap' | typeof POLICY_SOURCE_ID;

/** A file of grammar/: src/json/ and dist/cli/ both sit two folders below the package root. */
export function readGrammarFile(file: string): string {
  return readFileSync(new URL(`../../grammar/${file}`, import.meta.url), 'utf8');
}
