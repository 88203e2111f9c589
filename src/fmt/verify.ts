// The formatter checks its own work before anyone sees it: the output must read without errors
// as the same model (spans aside) with the same comments. A difference is a bug in policyc, and
// the file is left as it was; a formatter that changed a policy's meaning would be worse than none.

import { hasErrors } from '../diagnostics/diagnostic.js';
import { SourceText } from '../diagnostics/source.js';
import type { PolicyModel } from '../model/policy.js';
import { parseDsl, tokenizeDsl, type DslToken } from '../syntax/dsl/index.js';
import { sameModel } from '../syntax/print/shape.js';

export class FormatVerificationError extends Error {
  override readonly name = 'FormatVerificationError';
}

function commentTexts(comments: readonly DslToken[]): string[] {
  return comments.map((comment) => comment.image.trimEnd()).sort();
}

export function verifyFormatted(input: SourceText, model: PolicyModel, comments: readonly DslToken[], output: string): void {
  const fail = (what: string) => {
    throw new FormatVerificationError(`fmt: formatting ${input.file} would ${what}; the file is left as it was`);
  };
  const reread = parseDsl(new SourceText(input.file, output));
  if (hasErrors(reread.diagnostics)) fail('give text with errors');
  if (!sameModel(model, reread.model)) fail('change the policy');
  const before = commentTexts(comments);
  const after = commentTexts(tokenizeDsl(output).comments);
  if (before.length !== after.length || before.some((text, i) => text !== after[i])) fail('change its comments');
}
