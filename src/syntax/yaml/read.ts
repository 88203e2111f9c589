// Stage 1 of the YAML front end: text → one composed YAML document, or syntax diagnostics.
// The text is parsed to a concrete syntax tree first (the `yaml` parser keeps its own stack and
// cannot overflow), checked for nesting depth, and only then composed (which recurses).

import { Composer, Parser, type CST, type Document, type YAMLError } from 'yaml';

import { report } from '../../diagnostics/codes.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { SourceText } from '../../diagnostics/source.js';
import { scanCst, type YamlComment } from './cst.js';

/** A policy nests six collections deep (identities → identity → rules → rule → allow list); this leaves room for odd but honest layouts. */
export const MAX_NESTING = 64;

/** After this many syntax errors the rest are mostly echoes of the first ones. */
const MAX_SYNTAX_ERRORS = 20;

export interface YamlRead {
  /** The document, when the text is one well-formed YAML document. */
  doc?: Document.Parsed;
  comments: YamlComment[];
  diagnostics: Diagnostic[];
}

export function readYaml(source: SourceText): YamlRead {
  const tokens: CST.Token[] = Array.from(new Parser().parse(source.text));
  const facts = scanCst(tokens, MAX_NESTING);
  if (facts.tooDeepAt !== undefined) {
    const message = `the YAML nests lists and mappings more than ${MAX_NESTING} levels deep; a policy needs about six`;
    return { comments: [], diagnostics: [report('nesting-too-deep', source.span(facts.tooDeepAt, facts.tooDeepAt + 1), message)] };
  }

  // Duplicate keys are found later, with both positions; `yaml`'s own check names only the second.
  const composer = new Composer({ keepSourceTokens: true, uniqueKeys: false, merge: false, version: '1.2', strict: true });
  const docs = Array.from(composer.compose(tokens, true, source.text.length));
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const problem of docs.slice(0, 1).flatMap((doc) => [...doc.errors, ...doc.warnings])) {
    const diagnostic = syntaxDiagnostic(source, problem);
    const key = `${diagnostic.span.start.offset}:${diagnostic.message}`;
    if (seen.has(key) || diagnostics.length >= MAX_SYNTAX_ERRORS) continue;
    seen.add(key);
    diagnostics.push(diagnostic);
  }
  const second = docs[1];
  if (second) {
    const start = second.range[0];
    diagnostics.push(
      report(
        'syntax-error',
        source.span(start, start + 3),
        'a policy file holds one YAML document, but a second one starts here; remove the `---` line or split the file',
      ),
    );
  }
  const doc = docs[0];
  if (diagnostics.length > 0 || !doc) return { comments: facts.comments, diagnostics };
  return { doc, comments: facts.comments, diagnostics };
}

/** Conditions and selectors are DSL text, which YAML may read as its own syntax (`: `, `"x" == y`, `@`). */
const QUOTE_HINT = 'if this is a condition or a selector, put the whole value in single quotes (`when: \'code == "HK.00700"\'`)';

/** `yaml`'s messages, reworded where a person would not know what to do. */
function syntaxDiagnostic(source: SourceText, problem: YAMLError): Diagnostic {
  const [start, end] = problem.pos;
  const span = source.span(start, Math.max(start, end));
  return report('syntax-error', span, syntaxMessage(problem));
}

function syntaxMessage(problem: YAMLError): string {
  switch (problem.code) {
    case 'TAB_AS_INDENT':
      return 'YAML does not allow tabs for indentation; indent with spaces';
    case 'TAG_RESOLVE_FAILED':
      return `${problem.message}; a policy uses plain YAML values without custom tags`;
    case 'MULTILINE_IMPLICIT_KEY':
      return `${problem.message}: is a \`:\` missing after a key, or a value indented too far?`;
    case 'MISSING_CHAR':
      if (/^Missing closing .?quote/.test(problem.message)) return 'a quoted string is not closed; add the closing quote';
      return problem.message.replace(/\.$/, '');
    case 'BAD_ALIAS':
      if (/empty string/.test(problem.message)) return '`*` alone starts a YAML alias; to select every tool write `"*"` in quotes';
      return problem.message.replace(/\.$/, '');
    case 'BAD_SCALAR_START':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'UNEXPECTED_TOKEN':
      return `${problem.message.replace(/\.$/, '')}; ${QUOTE_HINT}`;
    case 'DUPLICATE_KEY':
      return 'the same key appears twice in one mapping';
    default:
      return problem.message.replace(/\.$/, '');
  }
}
