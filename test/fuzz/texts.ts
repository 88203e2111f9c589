// Policy texts for the fuzz properties: generated policies re-laid out with comments and
// suppressions sprinkled between their tokens, random damage to any text, and compiling a text to
// the bytes of its policy.json.

import fc from 'fast-check';

import type { Catalog } from '../../src/catalog/types.js';
import { formatPolicyJson } from '../../src/compile/canonical-json.js';
import { compilePolicy } from '../../src/compile/compile.js';
import { hasErrors } from '../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { statementTree, type Statement } from '../../src/fmt/statements.js';
import type { PolicyModel } from '../../src/model/policy.js';
import { parseDsl, tokenizeDsl } from '../../src/syntax/dsl/index.js';
import { parseYaml } from '../../src/syntax/yaml/index.js';

export function parseText(text: string, syntax: 'dsl' | 'yaml' = 'dsl', file = syntax === 'dsl' ? 'fuzz.policy' : 'fuzz.policy.yaml') {
  const source = new SourceText(file, text);
  return syntax === 'dsl' ? parseDsl(source) : parseYaml(source);
}

/** The policy.json bytes of a text that reads without errors; undefined otherwise. */
export function compiledBytes(text: string, catalog: Catalog, syntax: 'dsl' | 'yaml' = 'dsl'): string | undefined {
  const { model, diagnostics } = parseText(text, syntax);
  return hasErrors(diagnostics) ? undefined : formatPolicyJson(compilePolicy(model, catalog).policy);
}

// --- re-laying out a printed policy -------------------------------------------------------------

const ANYWHERE = [' ', '  ', '\n', '\n\n', '\n\n\n', '\t', ' # a note\n', '\n# an own-line note\n', '   #trailing   \n', ' # policyc-ignore unknown-tool: why\n', '\n# policyc-ignore destructive-allowed, default-allow\n'];
/** Before a statement the separator must hold a line break, so that no two statements share a line. */
const BEFORE_STATEMENT = ['\n', '\n\n', '\n\n\n', ' # a note\n', '\n# an own-line note\n\n', ' # policyc-ignore unknown-tool\n', '\n# policyc-ignore glob-matches-nothing: generated\n'];
const NO_SPACE = [''];

/** Token indexes that start a statement, a block's `}`, or follow a block's `{`: where lines must break. */
function lineStarts(model: PolicyModel, text: string): Set<number> {
  const tokens = tokenizeDsl(text).tokens;
  const starts = new Set<number>();
  const visit = (statements: readonly Statement[]) => {
    for (const statement of statements) {
      starts.add(statement.first);
      if (statement.kind === 'identity') {
        let open = statement.first;
        while (tokens[open]?.type !== 'LBrace') open++;
        starts.add(open + 1);
        starts.add(statement.last);
        visit(statement.children);
      }
    }
  };
  visit(statementTree(model, tokens));
  return starts;
}

/**
 * The tokens of a printed policy joined by random separators: spaces, line breaks, blank lines,
 * comments and `# policyc-ignore` directives, own-line and trailing. Statements keep starting on
 * lines of their own (so each suppression names one statement); everything else may move.
 */
export function relaidOut(printed: string, model: PolicyModel): fc.Arbitrary<string> {
  const tokens = tokenizeDsl(printed).tokens;
  const starts = lineStarts(model, printed);
  const separators = tokens.map((token, i) => {
    if (i === 0) return fc.constantFrom('', '# header\n', '# policyc-ignore missing-version\n\n');
    if (starts.has(i)) return fc.constantFrom(...BEFORE_STATEMENT);
    const previous = tokens[i - 1]!;
    // Words next to each other need a space; punctuation may touch.
    const touching = /^[[\](),{}]$/.test(token.image) || /^[[\](),{}]$/.test(previous.image);
    return touching ? fc.constantFrom(...ANYWHERE, ...NO_SPACE) : fc.constantFrom(...ANYWHERE);
  });
  return fc.tuple(fc.tuple(...separators), fc.constantFrom('', '\n', '\n# trailer\n', ' # end\n')).map(([before, end]) =>
    tokens.map((token, i) => `${before[i]!}${token.image}`).join('') + end,
  );
}

// --- damage ---------------------------------------------------------------------------------------

type Edit = (text: string) => string;

const PIECES = ['allow', 'deny', 'when', 'limit', 'reason', 'identity', 'and', 'or', 'not', '(', ')', '[', ']', '{', '}', ',', '"', '#', '`', '\n', ' ', '==', '1m', '*', 'é'];

function at(text: string, fraction: number): number {
  return Math.floor(fraction * (text.length + 1));
}

const characterEdit: fc.Arbitrary<Edit> = fc.oneof(
  // delete a run of characters
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 6 })).map(([f, n]): Edit => (text) => text.slice(0, at(text, f)) + text.slice(at(text, f) + n)),
  // duplicate a run
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 8 })).map(([f, n]): Edit => (text) => text.slice(0, at(text, f)) + text.slice(at(text, f), at(text, f) + n) + text.slice(at(text, f))),
  // flip one character's case or swap it with its neighbour
  fc.double({ min: 0, max: 1, noNaN: true }).map((f): Edit => (text) => {
    const i = Math.min(at(text, f), text.length - 1);
    if (i < 0) return text;
    const ch = text[i]!;
    const flipped = ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
    return text.slice(0, i) + (flipped !== ch ? flipped : (text[i + 1] ?? '') + ch) + text.slice(i + (flipped !== ch ? 1 : 2));
  }),
  // insert a piece of the language
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...PIECES)).map(([f, piece]): Edit => (text) => text.slice(0, at(text, f)) + piece + text.slice(at(text, f))),
);

const lineEdit: fc.Arbitrary<Edit> = fc.tuple(fc.constantFrom('delete', 'duplicate', 'swap', 'indent', 'join'), fc.double({ min: 0, max: 1, noNaN: true })).map(
  ([kind, f]): Edit =>
    (text) => {
      const lines = text.split('\n');
      const i = Math.min(Math.floor(f * lines.length), lines.length - 1);
      switch (kind) {
        case 'delete':
          lines.splice(i, 1);
          break;
        case 'duplicate':
          lines.splice(i, 0, lines[i]!);
          break;
        case 'swap':
          if (i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
          break;
        case 'indent':
          lines[i] = `    ${lines[i]!}`;
          break;
        case 'join':
          if (i + 1 < lines.length) lines.splice(i, 2, `${lines[i]!} ${lines[i + 1]!}`);
          break;
      }
      return lines.join('\n');
    },
);

/** A text with one to four random edits: characters or whole lines deleted, duplicated, flipped, moved. */
export function damaged(text: string): fc.Arbitrary<string> {
  return fc.array(fc.oneof(characterEdit, lineEdit), { minLength: 1, maxLength: 4 }).map((edits) => edits.reduce((current, edit) => edit(current), text));
}
