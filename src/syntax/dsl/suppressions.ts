// `# policyc-ignore RULE[, RULE…]: reason` comments → model.suppressions. A comment on a line of
// its own covers the next statement, all its lines; a comment at the end of a line covers the
// statement that line belongs to. Whether a named rule exists, and whether the suppression is
// used, is for the checks to say (unused-suppression, suppression-without-reason).

import type { IToken } from 'chevrotain';

import { report } from '../../diagnostics/codes.js';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.js';
import type { Suppression } from '../../model/policy.js';
import { NO_CODES_MESSAGE, readSuppressionDirective } from '../suppression-directive.js';
import { tokenEnd } from './cst.js';

/** A statement as the suppressions see it: where it is in the text, and its lines. */
export interface StatementExtent {
  start: number;
  end: number;
  startLine: number;
  endLine: number;
}

export interface SuppressionInput {
  comments: readonly IToken[];
  /** The tokens the statements are made of, for "is there code before the comment on its line?". */
  tokens: readonly IToken[];
  /** Every statement, nested ones included, in text order. */
  statements: readonly StatementExtent[];
  locate(start: number, end: number): Span;
}

export function readSuppressions(input: SuppressionInput): { suppressions: Suppression[]; diagnostics: Diagnostic[] } {
  const suppressions: Suppression[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const comment of input.comments) {
    const directive = readSuppressionDirective(comment.image);
    if (directive.kind === 'none') continue;
    const span = input.locate(comment.startOffset, tokenEnd(comment));
    if (directive.kind === 'no-codes') {
      diagnostics.push(report('syntax-error', span, NO_CODES_MESSAGE));
      continue;
    }
    const suppression: Suppression = { codes: directive.codes, appliesTo: coveredLines(input, comment, span.start.line), span };
    if (directive.reason !== undefined) suppression.reason = directive.reason;
    suppressions.push(suppression);
  }
  return { suppressions, diagnostics };
}

function coveredLines(input: SuppressionInput, comment: IToken, line: number): Suppression['appliesTo'] {
  const before = lastTokenBefore(input.tokens, comment.startOffset);
  const statement =
    before !== undefined && before.endLine === line
      ? innermostContaining(input.statements, before.startOffset)
      : input.statements[countStartingBefore(input.statements, comment.startOffset)];
  return statement === undefined ? { startLine: line, endLine: line } : { startLine: statement.startLine, endLine: statement.endLine };
}

function lastTokenBefore(tokens: readonly IToken[], offset: number): IToken | undefined {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (tokens[mid]!.startOffset < offset) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? undefined : tokens[low - 1];
}

/** How many statements start at or before `offset` (they are sorted by start). */
function countStartingBefore(statements: readonly StatementExtent[], offset: number): number {
  let low = 0;
  let high = statements.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (statements[mid]!.start <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The innermost statement containing `offset`. Statements nest or are disjoint, so walking back
 * from the last one that starts at or before `offset`, the first that contains it is innermost.
 */
function innermostContaining(statements: readonly StatementExtent[], offset: number): StatementExtent | undefined {
  for (let i = countStartingBefore(statements, offset) - 1; i >= 0; i--) {
    const statement = statements[i]!;
    if (offset < statement.end) return statement;
  }
  return undefined;
}
