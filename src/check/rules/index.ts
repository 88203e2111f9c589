// Every lint rule, in the order they run (the order of the output is by position, not by rule).

import type { Rule } from '../rule.js';
import { analysisIncomplete } from './analysis-incomplete.js';
import { approveReadOnly } from './approve-read-only.js';
import { capabilityLeak } from './capability-leak.js';
import { conditionTypeMismatch } from './condition-type-mismatch.js';
import { confusableName } from './confusable-name.js';
import { defaultAllow } from './default-allow.js';
import { destructiveAllowed } from './destructive-allowed.js';
import { emptyPolicy } from './empty-policy.js';
import { globMatchesNothing } from './glob-matches-nothing.js';
import { hiddenAndAllowed } from './hidden-and-allowed.js';
import { ineffectiveIdentity } from './ineffective-identity.js';
import { invalidLimit } from './invalid-limit.js';
import { invalidRegex } from './invalid-regex.js';
import { limitNeverBinds } from './limit-never-binds.js';
import { missingServer } from './missing-server.js';
import { missingVersion } from './missing-version.js';
import { overriddenRule } from './overridden-rule.js';
import { redundantRule } from './redundant-rule.js';
import { secretArgument } from './secret-argument.js';
import { slowRegex } from './slow-regex.js';
import { unknownClass } from './unknown-class.js';
import { unknownParameter } from './unknown-parameter.js';
import { unknownRisk } from './unknown-risk.js';
import { unknownTool } from './unknown-tool.js';
import { unpinnedTradingEnvironment } from './unpinned-trading-environment.js';
import { unsatisfiableCondition } from './unsatisfiable-condition.js';
import { unreviewedCatalog } from './unreviewed-catalog.js';

export const RULES: readonly Rule[] = [
  emptyPolicy,
  missingVersion,
  missingServer,
  unknownTool,
  unknownClass,
  unknownRisk,
  confusableName,
  globMatchesNothing,
  unknownParameter,
  conditionTypeMismatch,
  invalidRegex,
  slowRegex,
  invalidLimit,
  defaultAllow,
  destructiveAllowed,
  hiddenAndAllowed,
  unreviewedCatalog,
  capabilityLeak,
  secretArgument,
  unpinnedTradingEnvironment,
  unsatisfiableCondition,
  overriddenRule,
  redundantRule,
  ineffectiveIdentity,
  limitNeverBinds,
  approveReadOnly,
  analysisIncomplete,
];
