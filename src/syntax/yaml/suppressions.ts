// `# policyc-ignore RULE[, RULE…]: why` comments in a YAML policy, as in the DSL. A comment on
// a line of its own covers the next list item or key (all its lines); at the end of a line it
// covers the item or key that starts on that line (the outermost one: the whole rule, for a
// comment after `- allow: …`), or else the innermost one the line belongs to.

import { isAlias, isMap, isSeq, type ParsedNode } from 'yaml';

import { report } from '../../diagnostics/codes.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { SourceText } from '../../diagnostics/source.js';
import type { Suppression } from '../../model/policy.js';
import { NO_CODES_MESSAGE, readSuppressionDirective } from '../suppression-directive.js';
import type { YamlComment } from './cst.js';
import { seqItemStarts, trimEnd, type YamlPair, type YamlTree } from './tree.js';

/** A list item or a key with its value: what a suppression can cover. */
interface Unit {
  start: number;
  end: number;
  startLine: number;
  endLine: number;
}

export function readSuppressions(tree: YamlTree, comments: readonly YamlComment[]): { suppressions: Suppression[]; diagnostics: Diagnostic[] } {
  const { source } = tree;
  const suppressions: Suppression[] = [];
  const diagnostics: Diagnostic[] = [];
  let units: Unit[] | undefined;
  for (const comment of comments) {
    const directive = readSuppressionDirective(comment.text);
    if (directive.kind === 'none') continue;
    const span = source.span(comment.offset, comment.offset + comment.text.trimEnd().length);
    if (directive.kind === 'no-codes') {
      diagnostics.push(report('syntax-error', span, NO_CODES_MESSAGE));
      continue;
    }
    units ??= collectUnits(tree);
    const unit = coveredUnit(source, units, comment.offset);
    const line = span.start.line;
    const suppression: Suppression = {
      codes: directive.codes,
      appliesTo: unit ? { startLine: unit.startLine, endLine: unit.endLine } : { startLine: line, endLine: line },
      span,
    };
    if (directive.reason !== undefined) suppression.reason = directive.reason;
    suppressions.push(suppression);
  }
  return { suppressions, diagnostics };
}

function coveredUnit(source: SourceText, units: readonly Unit[], offset: number): Unit | undefined {
  const position = source.positionAt(offset);
  const line = position.line;
  const ownLine = source.lineText(line).slice(0, position.column - 1).trim() === '';
  if (ownLine) {
    let nextLine = Infinity;
    for (const unit of units) if (unit.startLine > line && unit.startLine < nextLine) nextLine = unit.startLine;
    return outermost(units.filter((unit) => unit.startLine === nextLine));
  }
  return outermost(units.filter((unit) => unit.startLine === line)) ?? innermost(units.filter((unit) => unit.startLine <= line && unit.endLine >= line));
}

function outermost(units: readonly Unit[]): Unit | undefined {
  return units.reduce<Unit | undefined>((best, unit) => (!best || unit.start < best.start || (unit.start === best.start && unit.end > best.end) ? unit : best), undefined);
}

function innermost(units: readonly Unit[]): Unit | undefined {
  return units.reduce<Unit | undefined>((best, unit) => (!best || unit.end - unit.start < best.end - best.start ? unit : best), undefined);
}

/** Every key and list item as written (aliases are where they are written, not expanded). */
function collectUnits(tree: YamlTree): Unit[] {
  const { source } = tree;
  const units: Unit[] = [];
  const add = (start: number, end: number) => {
    const trimmed = trimEnd(source.text, start, end);
    units.push({ start, end: trimmed, startLine: source.positionAt(start).line, endLine: source.positionAt(Math.max(start, trimmed)).line });
  };
  const visit = (node: ParsedNode | null): void => {
    if (!node || isAlias(node)) return;
    if (isSeq(node)) {
      const starts = seqItemStarts(node);
      node.items.forEach((item, index) => {
        add(starts[index] ?? item.range[0], item.range[1]);
        visit(item);
      });
    } else if (isMap(node)) {
      for (const pair of node.items as YamlPair[]) {
        add(pair.key.range[0], Math.max(pair.key.range[1], pair.value?.range[1] ?? 0));
        visit(pair.key);
        visit(pair.value);
      }
    }
  };
  visit(tree.doc.contents);
  return units;
}
