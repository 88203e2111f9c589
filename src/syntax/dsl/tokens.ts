// Every token of the policy DSL, and the lexer built from them. Order matters: chevrotain tries
// patterns in the order of `allTokens` and takes the first that matches, so globs come before
// names (a name is a glob without `*`/`?`), durations before numbers, `==` before `=`, and every
// keyword carries `longer_alt: Name` so that `allowed` or `limit.max` is a name, not a keyword.
//
// All patterns are linear: no nested quantifiers, and the string patterns' alternatives cannot
// overlap.

import { createToken, Lexer, type TokenType } from 'chevrotain';

// --- layout ------------------------------------------------------------------------------------

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED, line_breaks: true });

/** Kept in the `comments` group: suppressions live in comments, and a formatter must keep them. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });

// --- words -------------------------------------------------------------------------------------

/** Every word, keyword or not: a path segment after a dot may be a keyword (`x.limit`). */
export const AnyWord = createToken({ name: 'AnyWord', label: 'WORD', pattern: Lexer.NA });

/**
 * The name of a server or an identity, quoted or bare. One category rather than a choice of two
 * tokens, so that when the name is missing recovery can insert one and read the rest of the block.
 */
export const NameOrString = createToken({ name: 'NameOrString', label: 'NAME or STRING', pattern: Lexer.NA });

/** A tool name, class or risk word, or an argument path: `get_order_list`, `order.qty`. */
export const Name = createToken({
  name: 'Name',
  label: 'NAME',
  // Dots only between segments, so `order.`limit`` lexes as `order`, `.`, `` `limit` ``.
  pattern: /[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*/,
  categories: [AnyWord, NameOrString],
});

/** A tool-name glob: name characters with at least one `*` or `?`; `*` alone means every tool. */
export const Glob = createToken({
  name: 'Glob',
  label: 'GLOB',
  pattern: /[A-Za-z0-9_.*?-]*[*?][A-Za-z0-9_.*?-]*/,
  start_chars_hint: [...'*?_.-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'],
});

/**
 * A double-quoted string with JSON escapes. The pattern is lenient on purpose (any escape, and
 * the closing quote may be missing before the end of the line) so that a bad string is one token
 * with one clear message from `strings.ts`, not a cascade of lexing and parsing errors.
 */
export const StringLiteral = createToken({
  name: 'StringLiteral',
  label: 'STRING',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"?/,
  start_chars_hint: ['"'],
  categories: [NameOrString],
});

/** `` `limit` ``: a path segment spelt literally, for keys that are keywords or not names. */
export const BackquotedKey = createToken({
  name: 'BackquotedKey',
  label: 'BACKQUOTED',
  pattern: /`[^`\r\n]*`?/,
  start_chars_hint: ['`'],
});

export const Duration = createToken({
  name: 'Duration',
  label: 'DURATION',
  // `1ms` or `5min` must not lex as a duration followed by a name.
  pattern: /[0-9]+[smhd](?![A-Za-z0-9_])/,
  start_chars_hint: [...'0123456789'],
});

export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  label: 'NUMBER',
  pattern: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/,
});

// --- keywords ----------------------------------------------------------------------------------

/**
 * `limit all` is one token. A rule's `limit N per D` and the statement `limit all N per D` then
 * differ in their first token, so the grammar stays LL(1), and error recovery, which re-syncs at
 * any token that can start a statement, never mistakes a misplaced `limit 10 per 1m` for one.
 */
export const LimitAll = createToken({
  name: 'LimitAll',
  label: "'limit all'",
  pattern: /limit[ \t\r\n]+all(?![A-Za-z0-9_.-])/,
  line_breaks: true,
  start_chars_hint: ['l'],
});

function keyword(word: string, name: string): TokenType {
  return createToken({ name, label: `'${word}'`, pattern: new RegExp(word), longer_alt: Name, categories: [AnyWord] });
}

export const Version = keyword('version', 'Version');
export const Server = keyword('server', 'Server');
export const Default = keyword('default', 'Default');
export const Hide = keyword('hide', 'Hide');
export const Allow = keyword('allow', 'Allow');
export const Deny = keyword('deny', 'Deny');
export const Approve = keyword('approve', 'Approve');
export const When = keyword('when', 'When');
export const Limit = keyword('limit', 'Limit');
export const Per = keyword('per', 'Per');
export const By = keyword('by', 'By');
export const Reason = keyword('reason', 'Reason');
export const Identity = keyword('identity', 'Identity');
export const Class = keyword('class', 'Class');
export const Risk = keyword('risk', 'Risk');
export const And = keyword('and', 'And');
export const Or = keyword('or', 'Or');
export const Not = keyword('not', 'Not');
export const In = keyword('in', 'In');
export const Matches = keyword('matches', 'Matches');
export const Exists = keyword('exists', 'Exists');
export const True = keyword('true', 'True');
export const False = keyword('false', 'False');
export const Null = keyword('null', 'Null');

const KEYWORDS = [
  Version, Server, Default, Hide, Allow, Deny, Approve, When, Limit, Per, By, Reason, Identity,
  Class, Risk, And, Or, Not, In, Matches, Exists, True, False, Null,
];

/** The words that open a statement, for "unknown statement `alow`; did you mean `allow`?". */
export const STATEMENT_WORDS = ['version', 'server', 'default', 'hide', 'allow', 'deny', 'approve', 'limit', 'identity'];

/** Words that continue a rule, for "did you mean `when`?" after a rule's selectors. */
export const CLAUSE_WORDS = ['when', 'limit', 'reason', 'per', 'by'];

// --- operators and punctuation -----------------------------------------------------------------

export const Equal = createToken({ name: 'Equal', label: "'=='", pattern: /==/ });
export const NotEqual = createToken({ name: 'NotEqual', label: "'!='", pattern: /!=/ });
export const LessEqual = createToken({ name: 'LessEqual', label: "'<='", pattern: /<=/ });
export const GreaterEqual = createToken({ name: 'GreaterEqual', label: "'>='", pattern: />=/ });
export const Less = createToken({ name: 'Less', label: "'<'", pattern: /</ });
export const Greater = createToken({ name: 'Greater', label: "'>'", pattern: />/ });
export const Comma = createToken({ name: 'Comma', label: "','", pattern: /,/ });
export const Dot = createToken({ name: 'Dot', label: "'.'", pattern: /\./ });
export const LParen = createToken({ name: 'LParen', label: "'('", pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', label: "')'", pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', label: "'['", pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', label: "']'", pattern: /]/ });
export const LBrace = createToken({ name: 'LBrace', label: "'{'", pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', label: "'}'", pattern: /\}/ });

// --- misfits: what people write from other languages ---------------------------------------------
// The parser accepts none of these. Lexing them as tokens (instead of failing on an unexpected
// character) turns `qty = 5` into one error that says "did you mean `==`?", where a dropped
// character would give a second, confusing error on the token after it.

export const SingleEquals = createToken({ name: 'SingleEquals', pattern: /=/ });
export const AmpersandAnd = createToken({ name: 'AmpersandAnd', pattern: /&&?/ });
export const BarOr = createToken({ name: 'BarOr', pattern: /\|\|?/ });
export const Bang = createToken({ name: 'Bang', pattern: /!/ });
export const SingleQuoted = createToken({ name: 'SingleQuoted', pattern: /'[^'\r\n]*'?/, start_chars_hint: ["'"] });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });

/**
 * Any run of characters no other token starts with (`@`, `$`, non-ASCII letters, invisible
 * characters). Lexed as one token, kept out of the parser's way in its own group, and reported
 * once per run; leaving them to chevrotain's lexer recovery costs a pattern scan per character.
 */
const READABLE = new Set(' \t\r\n\f\vABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"`\'#.,()[]{}=!<>&|;*?-');
export const Unexpected = createToken({
  name: 'Unexpected',
  pattern: /[^ \t\r\n\f\vA-Za-z0-9_"`'#.,()[\]{}=!<>&|;*?-]+/,
  group: 'unexpected',
  // Chevrotain cannot derive first characters from a complement set: every UTF-16 unit but READABLE.
  start_chars_hint: unexpectedStartCodes(),
});

/**
 * The code units that start an `Unexpected` run. Chevrotain files a code unit above 255 under the
 * bucket 255 + ⌊code / 255⌋, and every one of those is unexpected, so one code per bucket builds
 * the same first-character table as all 65,280 of them, without a 65,536-element pass at start-up.
 * test/syntax/dsl/lexer-start-chars.test.ts lexes every code unit to hold this.
 */
function unexpectedStartCodes(): number[] {
  const codes: number[] = [];
  for (let code = 0; code < 256; code++) if (!READABLE.has(String.fromCharCode(code))) codes.push(code);
  for (let code = 256; code < 0x10000; code = (Math.floor(code / 255) + 1) * 255) codes.push(code);
  return codes;
}

/** The one message for each misfit token, whatever the parser expected instead. */
export const MISFIT_MESSAGES: Readonly<Record<string, string>> = {
  SingleEquals: '`=` is not an operator; did you mean `==`?',
  AmpersandAnd: '`&&` is not an operator; write `and`',
  BarOr: '`||` is not an operator; write `or`',
  Bang: '`!` is not an operator; write `not` (or `!=` for "not equal")',
  SingleQuoted: 'strings are written in double quotes: "…"',
  Semicolon: 'statements need no `;`: a statement ends where the next one begins',
};

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLiteral,
  BackquotedKey,
  Glob,
  Duration,
  NumberLiteral,
  LimitAll,
  ...KEYWORDS,
  Name,
  AnyWord,
  NameOrString,
  Equal,
  NotEqual,
  LessEqual,
  GreaterEqual,
  Less,
  Greater,
  Comma,
  Dot,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  SingleEquals,
  AmpersandAnd,
  BarOr,
  Bang,
  SingleQuoted,
  Semicolon,
  Unexpected,
];

/**
 * Chevrotain's self-checks of the token and grammar definitions find mistakes in policyc, never
 * in a policy, and cost ~20 ms of every start. They run wherever the source runs (the tests); the
 * bundled CLI, built from source the tests passed, skips them: src/bundle.mjs replaces
 * `process.env.POLICYC_BUNDLED` with "1".
 */
export const SKIP_GRAMMAR_SELF_CHECKS = process.env.POLICYC_BUNDLED === '1';

export const dslLexer = new Lexer(allTokens, {
  positionTracking: 'full',
  ensureOptimizations: true,
  skipValidations: SKIP_GRAMMAR_SELF_CHECKS,
});
