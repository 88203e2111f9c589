// The shape of one lint rule. Each rule lives in its own file under rules/, named after the
// diagnostic code it reports, and reads the policy only through the CheckContext.

import type { Code } from '../diagnostics/codes.js';
import type { CheckContext } from './context.js';

export interface Rule {
  /** The one code this rule reports (its file is rules/<code>.ts). */
  code: Code;
  /** The rule needs the server's catalogue; the runner skips it when there is none. */
  requiresCatalog: boolean;
  /**
   * The rule judges what the policy lacks (no statements, no version): when the front end dropped
   * statements because of syntax errors, the runner skips it rather than report a false absence.
   */
  judgesAbsence?: true;
  /** What the rule looks for, in one line, for people reading the rule list. */
  description: string;
  check(context: CheckContext): void;
}
