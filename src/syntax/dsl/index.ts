// The DSL front end: text → tokens → (nesting check) → CST → PolicyModel, with diagnostics.
//
//   lex ─► literal check ─► nesting check ─► parse (recovering) ─► build model ─► suppressions
//
// Every stage reports what it finds and passes on what it could read, so one typo costs one
// statement, and the checks still run on the rest. Nothing here throws at the user: a bad input
// gives diagnostics with positions and a model that holds what could be read.

import type { CstNode, ILexingError, ILexingResult, IRecognitionException, IToken } from 'chevrotain';

import { report } from '../../diagnostics/codes.js';
import { compareDiagnostics, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { SourceText } from '../../diagnostics/source.js';
import { emptyPolicy, type Expr, type Selector } from '../../model/policy.js';
import type { Fragment, FrontEndResult } from '../fragment.js';
import { statementKeyAt } from './boundaries.js';
import { childNodes, nodeRange, onlyChildNode, tokenEnd } from './cst.js';
import { decodeBackquoted, decodeNumber, decodeString, type LiteralProblem } from './literals.js';
import { describeParseError, describeUnexpectedCharacters, isEcho, isRealToken } from './messages.js';
import { findTooDeep, MAX_NESTING, withoutRanges, type TooDeep } from './nesting.js';
import { dslParser, MAX_SYNTAX_ERRORS, parseTokens, TooManySyntaxErrors, type StartRule } from './parser.js';
import { readSuppressions, type StatementExtent } from './suppressions.js';
import { buildCondition, buildPolicy, buildSelectorList, type BuildContext } from './to-model.js';
import * as t from './tokens.js';

type Locate = (start: number, end: number) => Span;

// --- tokens, for a formatter -------------------------------------------------------------------

export interface DslToken {
  /** The token type's name: `Allow`, `Name`, `StringLiteral`, `Comment`, … (see tokens.ts). */
  type: string;
  image: string;
  /** [start, end) offsets in the text. */
  start: number;
  end: number;
  line: number;
  column: number;
}

export interface DslTokens {
  tokens: DslToken[];
  comments: DslToken[];
  /** Characters the lexer skipped; `offset` and `length` in the text. */
  errors: { offset: number; length: number; message: string }[];
}

function toDslToken(token: IToken): DslToken {
  return {
    type: token.tokenType.name,
    image: token.image,
    start: token.startOffset,
    end: tokenEnd(token),
    line: token.startLine ?? 0,
    column: token.startColumn ?? 0,
  };
}

/** The text's tokens and comments, in order; whitespace is dropped. Never throws. */
export function tokenizeDsl(text: string): DslTokens {
  const lexed = t.dslLexer.tokenize(text);
  return {
    tokens: lexed.tokens.map(toDslToken),
    comments: (lexed.groups['comments'] ?? []).map(toDslToken),
    errors: unreadable(lexed, text).map((error) => ({ ...error, message: describeUnexpectedCharacters(text.slice(error.offset, error.offset + error.length)) })),
  };
}

/** Runs of characters the lexer could not make a token of, in text order. */
function unreadable(lexed: ILexingResult, text: string): { offset: number; length: number }[] {
  const runs = [
    ...(lexed.groups['unexpected'] ?? []).map((token) => ({ offset: token.startOffset, length: token.image.length })),
    ...lexed.errors.map((error: ILexingError) => ({ offset: error.offset, length: Math.min(error.length, text.length - error.offset) })),
  ];
  return runs.sort((a, b) => a.offset - b.offset);
}

// --- the shared run ----------------------------------------------------------------------------

interface Run {
  cst?: CstNode;
  tokens: IToken[];
  comments: IToken[];
  diagnostics: Diagnostic[];
  /** Offsets of every syntax error, sorted: a statement with one inside is left out of the model. */
  errorOffsets: number[];
  /** Whether the parser met an error, and so may have recovered: only then can a node be recovered. */
  recovered: boolean;
}

/** Lexes, checks and parses `text` from `start`; `endOfInput` names the end in messages. */
function read(text: string, start: StartRule, locate: Locate, endOfInput: string): Run {
  const lexed = t.dslLexer.tokenize(text);
  const comments = lexed.groups['comments'] ?? [];
  const diagnostics: Diagnostic[] = [];
  const errorOffsets: number[] = [];
  const syntaxError = (from: number, to: number, message: string, extra: Pick<Diagnostic, 'related'> = {}) => {
    diagnostics.push(report('syntax-error', locate(from, to), message, extra));
    errorOffsets.push(from);
  };

  for (const problem of lexicalProblems(lexed, text)) syntaxError(problem.start, problem.end, problem.message);

  const tooDeep = findTooDeep(lexed.tokens);
  for (const cut of tooDeep) {
    // No error offset: the statement is cut from the tokens, so no statement around it is harmed.
    diagnostics.push(report('nesting-too-deep', locate(cut.token.startOffset, tokenEnd(cut.token)), tooDeepMessage(cut, start)));
  }
  // A fragment is one expression: if part of it is too deep, none of it is read.
  if (tooDeep.length > 0 && start !== 'policy') return finish({ tokens: lexed.tokens, comments, diagnostics, errorOffsets, recovered: false });
  const tokens = withoutRanges(lexed.tokens, tooDeep);

  const parsed = parseSafely(tokens, start);

  // One syntax error per statement: after the first, recovery's guesses produce the rest, and
  // the statement is left out of the model anyway. A lexical error counts as the first.
  const reported = new Set(errorOffsets.map((offset) => statementKeyAt(tokens, offset)));
  const context = { tokens, endOfInput, inputEnd: text.length };
  for (const error of parsed.errors) {
    if (isEcho(error, context)) continue;
    const described = describeParseError(error, context);
    const statement = statementKeyAt(tokens, described.start);
    if (reported.has(statement)) continue;
    reported.add(statement);
    const related = described.related?.map((entry) => ({ message: entry.message, span: locate(entry.start, entry.end) }));
    syntaxError(described.start, described.end, described.message, related === undefined ? {} : { related });
  }
  if (parsed.stopped !== undefined) {
    const { at, code, message } = parsed.stopped;
    diagnostics.push(report(code, locate(at, at), message));
    errorOffsets.push(at);
  }
  // Chevrotain records an error before every recovery, so a parse without errors recovered nothing.
  const recovered = parsed.errors.length > 0 || parsed.stopped !== undefined;
  return finish({ cst: parsed.cst, tokens, comments, diagnostics, errorOffsets, recovered });
}

/** Unreadable characters and bad literals, as [start, end) and a message. */
function lexicalProblems(lexed: ILexingResult, text: string): { start: number; end: number; message: string }[] {
  const problems = unreadable(lexed, text).map((run) => ({
    start: run.offset,
    end: run.offset + run.length,
    message: describeUnexpectedCharacters(text.slice(run.offset, run.offset + run.length)),
  }));
  for (const token of lexed.tokens) {
    const problem = literalProblem(token);
    if (problem !== undefined) {
      const start = token.startOffset + problem.offset;
      problems.push({ start, end: start + problem.length, message: problem.message });
    }
  }
  return problems;
}

function tooDeepMessage(cut: TooDeep, start: StartRule): string {
  return cut.kind === 'block'
    ? `identity blocks nested more than ${MAX_NESTING} deep; this block is skipped`
    : `nested more than ${MAX_NESTING} levels deep (parentheses, lists and \`not\`s); this ${start === 'policy' ? 'statement' : 'text'} is skipped`;
}

interface Parsed {
  cst?: CstNode;
  errors: IRecognitionException[];
  /** Why parsing stopped early, if it did; the CST is then lost and the model stays empty. */
  stopped?: { at: number; code: 'syntax-error' | 'nesting-too-deep'; message: string };
}

function parseSafely(tokens: IToken[], start: StartRule): Parsed {
  try {
    const cst = parseTokens(tokens, start);
    return { cst, errors: dslParser.errors };
  } catch (error) {
    // Both are limits of this input, not bugs: a flood of errors, or (despite the nesting check)
    // a structure too deep for the stack. Either way the model stays empty: fail closed.
    if (!(error instanceof TooManySyntaxErrors) && !(error instanceof RangeError)) throw error;
    const errors = dslParser.errors.slice(0, MAX_SYNTAX_ERRORS);
    const last = errors[errors.length - 1]?.token;
    const at = isRealToken(last) ? last.startOffset : 0;
    return error instanceof TooManySyntaxErrors
      ? { errors, stopped: { at, code: 'syntax-error', message: `more than ${MAX_SYNTAX_ERRORS} syntax errors; stopped reading here (fix the first ones and try again)` } }
      : { errors, stopped: { at, code: 'nesting-too-deep', message: 'this text is too deeply structured to read; stopped reading here' } };
  }
}

function finish(run: Run): Run {
  run.errorOffsets.sort((a, b) => a - b);
  return run;
}

function literalProblem(token: IToken): LiteralProblem | undefined {
  switch (token.tokenType) {
    case t.StringLiteral:
      return decodeString(token.image).problem;
    case t.BackquotedKey:
      return decodeBackquoted(token.image).problem;
    case t.NumberLiteral:
      return decodeNumber(token.image).problem;
    default:
      return undefined;
  }
}

function buildContext(run: Run, locate: Locate): BuildContext {
  return { locate, errorOffsets: run.errorOffsets, recovered: run.recovered, diagnostics: run.diagnostics };
}

function sorted(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(compareDiagnostics);
}

// --- whole files -------------------------------------------------------------------------------

/** A whole `.policy` file → its model (always; partial when there are errors) and diagnostics. */
export function parseDsl(source: SourceText): FrontEndResult {
  const locate: Locate = (start, end) => source.span(start, end);
  const model = emptyPolicy(source.file, 'dsl');
  const run = read(source.text, 'policy', locate, 'the end of the file');
  if (run.cst !== undefined) {
    const context = buildContext(run, locate);
    buildPolicy(context, run.cst, model);
    const suppressions = readSuppressions({
      comments: run.comments,
      tokens: run.tokens,
      statements: statementExtents(run.cst, source),
      locate,
    });
    model.suppressions = suppressions.suppressions;
    run.diagnostics.push(...suppressions.diagnostics);
  }
  return { model, diagnostics: sorted(run.diagnostics) };
}

/** Every statement node's extent, nested ones included, in text order. */
function statementExtents(root: CstNode, source: SourceText): StatementExtent[] {
  const extents: StatementExtent[] = [];
  const visit = (container: CstNode) => {
    for (const statement of childNodes(container, 'statement')) {
      const range = nodeRange(statement);
      if (range !== undefined) {
        extents.push({
          ...range,
          startLine: source.positionAt(range.start).line,
          endLine: source.positionAt(Math.max(range.start, range.end - 1)).line,
        });
      }
      const inner = onlyChildNode(statement);
      if (inner?.name === 'identityBlock') visit(inner);
    }
  };
  visit(root);
  return extents;
}

// --- fragments ---------------------------------------------------------------------------------

function fragmentLocate(fragment: Fragment): Locate {
  return (start, end) => fragment.source.span(fragment.toFileOffset(start), fragment.toFileOffset(end));
}

/** A YAML `when:` string → the condition; `expr` is absent when the text has an error. */
export function parseConditionFragment(fragment: Fragment): { expr?: Expr; diagnostics: Diagnostic[] } {
  const locate = fragmentLocate(fragment);
  const run = read(fragment.text, 'condition', locate, 'the end of the condition');
  if (run.cst === undefined || run.diagnostics.length > 0) return { diagnostics: sorted(run.diagnostics) };
  const expr = buildCondition(buildContext(run, locate), run.cst);
  return expr === undefined || run.diagnostics.length > 0 ? { diagnostics: sorted(run.diagnostics) } : { expr, diagnostics: [] };
}

/** A YAML selector string (`class read`, `get_order_*`, `a, b`) → selectors; none when it has an error. */
export function parseSelectorFragment(fragment: Fragment): { selectors: Selector[]; diagnostics: Diagnostic[] } {
  const locate = fragmentLocate(fragment);
  const run = read(fragment.text, 'selectorList', locate, 'the end of the selector');
  if (run.cst === undefined || run.diagnostics.length > 0) return { selectors: [], diagnostics: sorted(run.diagnostics) };
  const selectors = buildSelectorList(buildContext(run, locate), run.cst);
  return selectors === undefined || run.diagnostics.length > 0 ? { selectors: [], diagnostics: sorted(run.diagnostics) } : { selectors, diagnostics: [] };
}
