// Chevrotain's errors turned into short, actionable messages. Chevrotain builds a message the
// moment it meets an error, when only the rule name and the tokens are known; `errorFacts`
// therefore records just those facts (as JSON in the exception's message), and
// `describeParseError` writes the message afterwards, when the whole token stream is at hand:
// "expected a tool selector after `allow` (…), found `when`", "unknown statement `alow`; did
// you mean `allow`?", "missing `}`" with the `{` it belongs to.

import type { IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from 'chevrotain';

import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { statementOpenerBefore } from './boundaries.js';
import { tokenEnd } from './cst.js';
import * as t from './tokens.js';

// --- capture -----------------------------------------------------------------------------------

type ErrorKind = 'mismatch' | 'redundant' | 'no-alternative' | 'early-exit';

interface ErrorFacts {
  kind: ErrorKind;
  rule: string;
  /** Names of the token types that would have been accepted. */
  expected: string[];
}

function firstTokens(paths: TokenType[][]): string[] {
  return paths.flatMap((path) => (path[0] === undefined ? [] : [path[0].name]));
}

function facts(kind: ErrorKind, rule: string, expected: string[]): string {
  return JSON.stringify({ kind, rule, expected: [...new Set(expected)] } satisfies ErrorFacts);
}

/** The parser's message provider: it records facts; `describeParseError` words them. */
export const errorFacts: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) => facts('mismatch', ruleName, [expected.name]),
  buildNotAllInputParsedMessage: ({ ruleName }) => facts('redundant', ruleName, ['EOF']),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
    facts('no-alternative', ruleName, expectedPathsPerAlt.flatMap(firstTokens)),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) =>
    facts('early-exit', ruleName, firstTokens(expectedIterationPaths)),
};

function readFacts(message: string): ErrorFacts {
  try {
    const value = JSON.parse(message) as Partial<ErrorFacts>;
    if (typeof value.kind === 'string' && typeof value.rule === 'string' && Array.isArray(value.expected)) {
      return value as ErrorFacts;
    }
  } catch {
    // Not ours: fall through.
  }
  return { kind: 'no-alternative', rule: '', expected: [] };
}

// --- describe ----------------------------------------------------------------------------------

export interface ErrorContext {
  /** The tokens the parser read, in order. */
  tokens: readonly IToken[];
  /** What the end of the input is called: "the end of the file", "the end of the condition". */
  endOfInput: string;
  /** Offset just past the last character of the input. */
  inputEnd: number;
}

/** A located message; offsets are into the parsed text, `end` exclusive. */
export interface DescribedError {
  message: string;
  start: number;
  end: number;
  related?: { message: string; start: number; end: number }[];
}

const SELECTOR = 'a tool selector';
const SELECTOR_KINDS = 'a tool name, a glob, `class C`, `risk R` or `*`';
const CONDITION = 'a condition';
const CONDITION_KINDS = 'an argument path such as `qty`, `not` or `(`';
const VALUE = 'a value';
const VALUE_KINDS = 'a string, a number, `true`, `false`, `null` or a list';
const OPERATOR = 'an operator';
const OPERATOR_KINDS = '`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, `matches` or `exists`';
const STATEMENT_LIST = '`allow`, `deny`, `approve`, `hide`, `limit all`, `identity`, `version`, `server` or `default`';

interface Expectation {
  what: string;
  detail?: string;
}

/** What was expected, in words, from the rule the parser was in and the tokens it would have taken. */
function expectation(found: ErrorFacts, previous: IToken | undefined): Expectation {
  const after = previous?.tokenType;
  switch (found.rule) {
    case 'selector':
    case 'selectorList':
      if (after === t.Class) return { what: 'a class', detail: 'read, write, financial or destructive' };
      if (after === t.Risk || (found.expected.includes(t.Name.name) && isOperator(after))) {
        return { what: 'a risk level', detail: 'low, medium, high or critical; or `>=`, `>`, `<=`, `<`, `==` and a level' };
      }
      return { what: SELECTOR, detail: SELECTOR_KINDS };
    case 'riskOperator':
      return { what: 'a risk level', detail: 'low, medium, high or critical' };
    case 'defaultStatement':
      return { what: '`allow` or `deny`' };
    case 'versionStatement':
      return { what: 'the language version', detail: '`version 1`' };
    case 'serverStatement':
      return { what: 'the server name in double quotes', detail: 'e.g. `server "futu-stock-mcp-server"`' };
    case 'identityBlock':
      if (found.expected.includes(t.LBrace.name)) return { what: '`{`' };
      if (found.expected.includes(t.RBrace.name)) return { what: '`}` to close the identity block' };
      return { what: 'the identity name in double quotes', detail: 'e.g. `identity "research-bot" { … }`' };
    case 'scope':
      return { what: '`identity`, `session` or `global`' };
    case 'rate':
      if (found.expected.includes(t.NumberLiteral.name)) return { what: 'the most calls allowed', detail: 'a whole number, as in `limit 10 per 1m`' };
      if (found.expected.includes(t.Per.name)) return { what: '`per`', detail: 'as in `limit 10 per 1m`' };
      if (found.expected.includes(t.Duration.name)) return { what: 'a duration', detail: 'a whole number and s, m, h or d: 30s, 1m, 1h, 1d' };
      break;
    case 'reasonClause':
      return { what: 'the reason in double quotes', detail: 'e.g. `reason "paper trading only"`' };
    case 'condition':
    case 'conjunction':
    case 'negation':
    case 'primary':
      if (found.expected.includes(t.RParen.name)) return { what: '`)`' };
      return { what: CONDITION, detail: CONDITION_KINDS };
    case 'operand':
      if (isOperator(after)) return { what: VALUE, detail: VALUE_KINDS };
      return { what: CONDITION, detail: CONDITION_KINDS };
    case 'comparison':
      if (found.expected.includes(t.StringLiteral.name) && after === t.Matches) {
        return { what: 'a regular expression in double quotes', detail: 'e.g. `code matches "HK\\\\..*"`' };
      }
      if (found.expected.includes(t.LBracket.name)) return { what: 'a list', detail: 'e.g. `in ["HK.00700", "US.AAPL"]`' };
      if (found.expected.includes(t.In.name) && after === t.Not) return { what: '`in`', detail: '`not in [...]`' };
      return { what: OPERATOR, detail: OPERATOR_KINDS };
    case 'compareOperator':
      return { what: OPERATOR, detail: OPERATOR_KINDS };
    case 'path':
      return { what: 'a key after `.`', detail: 'a name, or any key in backquotes: `` `limit` ``' };
    case 'literal':
      return { what: VALUE, detail: VALUE_KINDS };
    case 'list':
      if (found.expected.includes(t.RBracket.name)) return { what: '`,` or `]`' };
      return { what: VALUE, detail: VALUE_KINDS };
    case 'whenClause':
      return { what: CONDITION, detail: CONDITION_KINDS };
    case 'statement':
      return { what: 'a statement', detail: STATEMENT_LIST };
  }
  const [first] = found.expected;
  return { what: first === undefined ? 'something else' : tokenWords(first) };
}

const TOKEN_WORDS: Readonly<Record<string, string>> = {
  Name: 'a name',
  Glob: 'a glob',
  StringLiteral: 'a string in double quotes',
  BackquotedKey: 'a key in backquotes',
  Duration: 'a duration such as 30s, 1m, 1h or 1d',
  NumberLiteral: 'a number',
  EOF: 'nothing more',
};

function tokenWords(name: string): string {
  const known = TOKEN_WORDS[name];
  if (known !== undefined) return known;
  const type = t.allTokens.find((token) => token.name === name);
  const label = type?.LABEL;
  return label === undefined ? name : `\`${label.replace(/^'|'$/g, '')}\``;
}

function isOperator(type: TokenType | undefined): boolean {
  return (
    type === t.Equal ||
    type === t.NotEqual ||
    type === t.Less ||
    type === t.LessEqual ||
    type === t.Greater ||
    type === t.GreaterEqual
  );
}

export function isRealToken(token: IToken | undefined): token is IToken {
  return token !== undefined && token.tokenType.name !== 'EOF' && Number.isFinite(token.startOffset) && token.startOffset >= 0;
}

/** A token as quoted in a message: `alow`; long images are cut. */
function quote(token: IToken): string {
  const image = token.image.length > 32 ? `${token.image.slice(0, 31)}…` : token.image;
  return image.includes('`') ? `"${image}"` : `\`${image}\``;
}

/** `5min` and `3com_tool` lex as a number and a name; this is the word the person wrote. */
function digitWord(token: IToken, context: ErrorContext): string | undefined {
  if (token.tokenType !== t.NumberLiteral && token.tokenType !== t.Duration) return undefined;
  const next = context.tokens[tokenIndex(context.tokens, token) + 1];
  if (next === undefined || next.startOffset !== tokenEnd(token) || (next.tokenType !== t.Name && next.tokenType !== t.Glob)) return undefined;
  return token.image + next.image;
}

function found(token: IToken, context: ErrorContext): string {
  if (!isRealToken(token)) return context.endOfInput;
  const word = digitWord(token, context);
  return word === undefined ? quote(token) : `\`${word}\``;
}

/** Where a missing piece goes: right after the previous token, if the found one is on a later line. */
function placeOf(token: IToken, previous: IToken | undefined, context: ErrorContext): { start: number; end: number } {
  const previousIsReal = isRealToken(previous);
  if (!isRealToken(token)) {
    const at = previousIsReal ? tokenEnd(previous) : context.inputEnd;
    return { start: at, end: at };
  }
  if (previousIsReal && (token.startLine ?? 0) > (previous.endLine ?? 0)) {
    return { start: tokenEnd(previous), end: tokenEnd(previous) };
  }
  return { start: token.startOffset, end: tokenEnd(token) };
}

function tokenIndex(tokens: readonly IToken[], token: IToken): number {
  // Tokens are in offset order; a binary search finds the real ones.
  let low = 0;
  let high = tokens.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const offset = tokens[mid]!.startOffset;
    if (offset === token.startOffset) return mid;
    if (offset < token.startOffset) low = mid + 1;
    else high = mid - 1;
  }
  return low;
}

/** The unclosed opener (`(`, `[`, `{`) that `closer` would have closed, searching back from `index`. */
function unclosedOpener(tokens: readonly IToken[], index: number, opener: TokenType, closer: TokenType): IToken | undefined {
  let depth = 0;
  for (let i = Math.min(index, tokens.length) - 1; i >= 0; i--) {
    const type = tokens[i]!.tokenType;
    if (type === closer) depth++;
    else if (type === opener) {
      if (depth === 0) return tokens[i];
      depth--;
    }
  }
  return undefined;
}

const CLOSERS: ReadonlyArray<{ closer: TokenType; opener: TokenType; name: string }> = [
  { closer: t.RParen, opener: t.LParen, name: '`(`' },
  { closer: t.RBracket, opener: t.LBracket, name: '`[`' },
  { closer: t.RBrace, opener: t.LBrace, name: 'the identity block' },
];

function isWord(token: IToken): boolean {
  return token.tokenType === t.Name || token.tokenType === t.Glob;
}

function isSelectorLike(token: IToken | undefined): boolean {
  return token !== undefined && (isWord(token) || token.tokenType === t.StringLiteral);
}

const CLAUSE_TYPES: ReadonlySet<TokenType> = new Set([t.When, t.Limit, t.Reason, t.Per, t.By]);

/**
 * A token where a statement should begin (or, inside an identity block, a statement or `}`):
 * a misspelt keyword, a clause that belongs to no rule, or a stray token.
 */
function unexpectedAtStatement(token: IToken, previous: IToken | undefined, context: ErrorContext, inBlock: boolean): string {
  if (token.tokenType === t.RBrace) return 'unexpected `}`: no identity block is open here';
  const sameLine = isRealToken(previous) && token.startLine === previous.endLine;
  if (isWord(token)) {
    if (!sameLine) {
      const suggestion = didYouMean(token.image, t.STATEMENT_WORDS);
      if (suggestion !== undefined) return `unknown statement ${quote(token)}; did you mean \`${suggestion}\`?`;
      return `unknown statement ${quote(token)}; a statement starts with ${STATEMENT_LIST}`;
    }
    const suggestion = didYouMean(token.image, [...t.CLAUSE_WORDS, ...t.STATEMENT_WORDS]);
    if (suggestion !== undefined) return `unexpected ${quote(token)}; did you mean \`${suggestion}\`?`;
    if (isSelectorLike(previous)) return `unexpected ${quote(token)} after ${quote(previous!)}; separate tool selectors with \`,\``;
    return `unexpected ${quote(token)} after ${quote(previous!)}`;
  }
  if (CLAUSE_TYPES.has(token.tokenType)) {
    const opener = statementOpenerBefore(context.tokens, tokenIndex(context.tokens, token) - 1);
    const clause = quote(token);
    const limitAll = token.tokenType === t.Limit ? '; for one limit on every tool together, write `limit all N per DURATION`' : '';
    if (opener !== undefined && opener.tokenType !== t.Allow && opener.tokenType !== t.Deny && opener.tokenType !== t.Approve) {
      return `${clause} cannot follow a \`${opener.image}\` statement: only \`allow\`, \`deny\` and \`approve\` rules take \`when\`, \`limit\` and \`reason\`${limitAll}`;
    }
    return `unexpected ${clause}: \`when\`, \`limit N per DURATION\` and \`reason\` follow a rule's tool selectors${limitAll}`;
  }
  const expected = inBlock ? `a statement or \`}\`` : 'a statement';
  if (sameLine) return `unexpected ${quote(token)} after ${quote(previous!)}`;
  return `unexpected ${quote(token)}; expected ${expected}`;
}

/**
 * Whether an error only echoes an earlier one. After a broken `limit … by identity`, recovery
 * re-syncs at `identity` (it can open a block) and then finds no block name; the first error
 * already covers the mistake.
 */
export function isEcho(error: IRecognitionException, context: ErrorContext): boolean {
  if (readFacts(error.message).rule !== 'identityBlock') return false;
  const index = isRealToken(error.token) ? tokenIndex(context.tokens, error.token) : context.tokens.length;
  for (let i = index - 1; i >= 0; i--) {
    const type = context.tokens[i]!.tokenType;
    if (type === t.Identity) return context.tokens[i - 1]?.tokenType === t.By;
    if (type === t.LBrace || type === t.RBrace) return false;
  }
  return false;
}

/** The rules where an argument path may begin. */
const CONDITION_RULES: ReadonlySet<string> = new Set(['whenClause', 'condition', 'conjunction', 'negation', 'primary', 'operand']);

/** What follows a key in a condition: a keyword before one of these was meant as a key. */
const OPERATOR_AFTER_KEY: ReadonlySet<TokenType | undefined> = new Set([
  t.Equal, t.NotEqual, t.Less, t.LessEqual, t.Greater, t.GreaterEqual, t.SingleEquals, t.In, t.Not, t.Matches, t.Exists, t.Dot,
]);

/** A keyword that could be meant as a key: not one that can begin a condition or a value. */
function isKeywordWord(token: IToken): boolean {
  const type = token.tokenType;
  if (type === t.Name || type === t.Not || type === t.True || type === t.False || type === t.Null) return false;
  return type.CATEGORIES?.includes(t.AnyWord) ?? false;
}

/** One parse error as a located, actionable message. */
export function describeParseError(error: IRecognitionException, context: ErrorContext): DescribedError {
  const token = error.token;
  // Not the exception's `previousToken`: after skipping tokens in recovery, that is the last one skipped.
  const index = isRealToken(token) ? tokenIndex(context.tokens, token) : context.tokens.length;
  const realPrevious = context.tokens[index - 1];
  const errorFacts = readFacts(error.message);

  const misfit = t.MISFIT_MESSAGES[token.tokenType.name];
  if (misfit !== undefined) return { message: misfit, start: token.startOffset, end: tokenEnd(token) };

  const endOfInputExpected = errorFacts.expected.length === 1 && errorFacts.expected[0] === 'EOF';
  const blockEndExpected = errorFacts.rule === 'identityBlock' && errorFacts.expected.includes(t.RBrace.name);
  if (isRealToken(token) && (endOfInputExpected || blockEndExpected)) {
    if (errorFacts.rule === 'policy' || errorFacts.rule === 'identityBlock') {
      return { message: unexpectedAtStatement(token, realPrevious, context, blockEndExpected), start: token.startOffset, end: tokenEnd(token) };
    }
    const what = errorFacts.rule === 'selectorList' || errorFacts.rule === 'selector' ? 'the tool selectors' : 'the condition';
    return { message: `unexpected ${quote(token)} after ${what}`, start: token.startOffset, end: tokenEnd(token) };
  }

  const word = isRealToken(token) ? digitWord(token, context) ?? (token.tokenType === t.NumberLiteral ? token.image : undefined) : undefined;
  if (word !== undefined && (errorFacts.rule === 'selector' || errorFacts.rule === 'selectorList')) {
    const message = `a tool name that starts with a digit is written in double quotes: "${word}"`;
    return { message, start: token.startOffset, end: token.startOffset + word.length };
  }

  if (isRealToken(token) && CONDITION_RULES.has(errorFacts.rule) && isKeywordWord(token) && OPERATOR_AFTER_KEY.has(context.tokens[index + 1]?.tokenType)) {
    return {
      message: `\`${token.image}\` is a keyword; to read an argument called ${token.image}, write it in backquotes: \`\`${token.image}\`\``,
      start: token.startOffset,
      end: tokenEnd(token),
    };
  }

  const { what, detail } = expectation(errorFacts, realPrevious);
  const after = realPrevious === undefined ? '' : ` after ${quote(realPrevious)}`;
  const message = `expected ${what}${after}${detail === undefined ? '' : ` (${detail})`}, found ${found(token, context)}`;
  const place = placeOf(token, realPrevious, context);

  const closing = CLOSERS.find((entry) => errorFacts.expected.length === 1 && errorFacts.expected[0] === entry.closer.name)
    ?? (blockEndExpected ? CLOSERS[2] : undefined);
  if (closing !== undefined) {
    const opener = unclosedOpener(context.tokens, index, closing.opener, closing.closer);
    if (opener !== undefined) {
      return { message, ...place, related: [{ message: `${closing.name} opens here`, start: opener.startOffset, end: tokenEnd(opener) }] };
    }
  }
  return { message, ...place };
}

// --- lexing ------------------------------------------------------------------------------------

/** A character the lexer could not read, with what it looks like when it is invisible. */
export function describeUnexpectedCharacters(text: string): string {
  const shown = [...text].slice(0, 8).map((ch) => {
    const code = ch.codePointAt(0)!;
    const visible = code > 0x20 && code < 0x7f;
    return visible ? ch : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
  const suffix = [...text].length > 8 ? '…' : '';
  const plural = [...text].length > 1 ? 'characters' : 'character';
  const ascii = /^[\x21-\x7e]+$/.test(text);
  return ascii
    ? `unexpected ${plural} \`${shown.join('')}${suffix}\``
    : `unexpected ${plural} ${shown.join(' ')}${suffix}; policy text outside strings and comments is plain ASCII`;
}
