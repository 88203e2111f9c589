// The checks stage: PolicyModel (+ catalogue) → diagnostics. Runs every lint rule, then applies
// the policy's `policyc-ignore` comments, and returns the diagnostics in output order.

import type { Catalog } from '../catalog/types.js';
import type { Code } from '../diagnostics/codes.js';
import { compareDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { CompiledPolicy } from '../model/compiled.js';
import type { PolicyModel } from '../model/policy.js';
import { createCheckContext } from './context.js';
import type { Rule } from './rule.js';
import { RULES } from './rules/index.js';
import { applySuppressions } from './suppressions.js';

export interface CheckOptions {
  /** Run only these rules (default: all). Suppressions of other codes are then not judged unused. */
  only?: readonly Code[];
  /** The front end reported syntax errors, so statements may be missing from the model. */
  incomplete?: boolean;
  /**
   * The model compiled against the same catalogue, when the caller has it (the pipeline does):
   * the analysis checks read it instead of compiling the model a second time.
   */
  compiled?: CompiledPolicy;
}

/**
 * Lints one policy. `catalog` is undefined when the policy's server is unknown or missing (the
 * caller reports that): the rules that need a catalogue are skipped then.
 */
export function checkPolicy(model: PolicyModel, catalog: Catalog | undefined, options: CheckOptions = {}): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const ran = new Set<string>();
  let running: Rule | undefined;
  // One context for all rules, so the facts it computes lazily are computed once.
  const context = createCheckContext(
    model,
    catalog,
    (diagnostic) => {
      // A rule reporting another rule's code would break suppressions and the rule docs.
      if (diagnostic.code !== running?.code) throw new Error(`internal: rule ${running?.code} reported ${diagnostic.code}`);
      diagnostics.push(diagnostic);
    },
    options.compiled,
  );
  for (const rule of selectRules(options)) {
    if (rule.requiresCatalog && catalog === undefined) continue;
    if (rule.judgesAbsence && options.incomplete) continue;
    ran.add(rule.code);
    running = rule;
    rule.check(context);
  }
  running = undefined;
  return applySuppressions(diagnostics, model.suppressions, { ranCodes: ran }).sort(compareDiagnostics);
}

function selectRules(options: CheckOptions): readonly Rule[] {
  if (options.only === undefined) return RULES;
  const wanted = new Set<string>(options.only);
  return RULES.filter((rule) => wanted.has(rule.code));
}
