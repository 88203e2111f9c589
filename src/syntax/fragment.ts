// A piece of DSL text embedded in another file: a YAML policy's `when:` string or selector. The
// DSL parses it like any DSL text, and `toFileOffset` maps its offsets back into the file, so a
// diagnostic in a YAML `when:` points at the right YAML line and column.

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import type { PolicyModel } from '../model/policy.js';

export interface Fragment {
  /** The file the fragment sits in (spans are made with `source.span`). */
  source: SourceText;
  /** The fragment's text, after the host syntax's unescaping. */
  text: string;
  /** Offset in `text` → offset in `source.text`. */
  toFileOffset(offset: number): number;
}

/** What a front end returns: the model (always, possibly partial) and what it found wrong. */
export interface FrontEndResult {
  model: PolicyModel;
  diagnostics: Diagnostic[];
}
