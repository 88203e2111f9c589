// The one place the check tests turn DSL text into a model. Uses the test model builder until
// the real front end lands; then this switches to `parseDsl` and fails on any syntax error.

import type { PolicyModel } from '../../src/model/policy.js';
import { buildModel } from './model-builder.js';

export function parsePolicy(text: string, file = 'test.policy'): PolicyModel {
  return buildModel(text, file);
}
