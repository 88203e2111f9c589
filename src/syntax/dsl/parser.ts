// The DSL's grammar as a chevrotain CstParser (SPEC §1.1; grammar/policy.ebnf is the same grammar
// written for people). Rules are class fields, as in chevrotain's examples; the one shared
// instance is reused for every parse. Recovery is on, so one mistake costs one statement, not
// the rest of the file: chevrotain re-syncs at the next token that can follow the broken rule,
// which for a statement is the next statement keyword.

import { CstParser, type IOrAlt, type IToken, type TokenType } from 'chevrotain';

import { errorFacts } from './messages.js';
import * as t from './tokens.js';

/**
 * Past this many errors the file is not a policy, and each further recovery costs stack (a
 * repetition's recovery re-enters the repetition), so parsing stops.
 */
export const MAX_SYNTAX_ERRORS = 100;

/** Thrown from inside the parser to stop a parse that has hit MAX_SYNTAX_ERRORS. */
export class TooManySyntaxErrors extends Error {
  constructor() {
    super(`more than ${MAX_SYNTAX_ERRORS} syntax errors`);
  }
}

const STRUCTURAL: ReadonlySet<TokenType> = new Set([
  t.Version, t.Server, t.Default, t.Hide, t.Allow, t.Deny, t.Approve, t.LimitAll, t.Identity, t.LBrace, t.RBrace,
]);

class PolicyParser extends CstParser {
  /**
   * Each OR's alternatives, built on the rule's first run and reused: written inline, every call
   * of a rule would allocate the array, its objects and their closures again (chevrotain's
   * performance advice). The closures only call this parser's methods, so one set serves every parse.
   */
  private readonly alts: Partial<Record<string, IOrAlt<unknown>[]>> = {};

  constructor() {
    super(t.allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: 'onlyOffset',
      errorMessageProvider: errorFacts,
      maxLookahead: 2,
      skipValidations: t.SKIP_GRAMMAR_SELF_CHECKS,
    });
    this.performSelfAnalysis();
  }

  /**
   * Recovery may insert a missing token when the one after it fits, but never an opening bracket:
   * `a in 5` is a missing list, not a list whose `[` and `]` are both missing (two errors).
   */
  protected override canTokenTypeBeInsertedInRecovery(tokenType: TokenType): boolean {
    return tokenType !== t.LBracket && tokenType !== t.LParen;
  }

  /**
   * Recovery may skip one stray token to go on, but never a statement keyword or a brace: those
   * are where the next statement or block begins, and skipping one would fold it into the error.
   * (Chevrotain passes the type it expected; the token it would skip is the next one.)
   */
  protected override canTokenTypeBeDeletedInRecovery(_expected: TokenType): boolean {
    return !STRUCTURAL.has(this.LA(1).tokenType);
  }

  // --- statements ------------------------------------------------------------------------------

  readonly policy = this.RULE('policy', () => {
    this.MANY(() => this.SUBRULE(this.statement));
  });

  readonly statement = this.RULE('statement', () => {
    this.ACTION(() => {
      if (this.errors.length >= MAX_SYNTAX_ERRORS) throw new TooManySyntaxErrors();
    });
    this.OR(this.alts.statement ??= [
      { ALT: () => this.SUBRULE(this.versionStatement) },
      { ALT: () => this.SUBRULE(this.serverStatement) },
      { ALT: () => this.SUBRULE(this.defaultStatement) },
      { ALT: () => this.SUBRULE(this.hideStatement) },
      { ALT: () => this.SUBRULE(this.ruleStatement) },
      { ALT: () => this.SUBRULE(this.limitAllStatement) },
      { ALT: () => this.SUBRULE(this.identityBlock) },
    ]);
  });

  readonly versionStatement = this.RULE('versionStatement', () => {
    this.CONSUME(t.Version);
    this.OR(this.alts.version ??= [{ ALT: () => this.CONSUME(t.NumberLiteral) }, { ALT: () => this.CONSUME(t.StringLiteral) }]);
  });

  readonly serverStatement = this.RULE('serverStatement', () => {
    this.CONSUME(t.Server);
    this.CONSUME(t.NameOrString);
  });

  readonly defaultStatement = this.RULE('defaultStatement', () => {
    this.CONSUME(t.Default);
    this.OR(this.alts.default ??= [{ ALT: () => this.CONSUME(t.Allow) }, { ALT: () => this.CONSUME(t.Deny) }]);
  });

  readonly hideStatement = this.RULE('hideStatement', () => {
    this.CONSUME(t.Hide);
    this.SUBRULE(this.selectorList);
  });

  /** Clauses may come in any order (each at most once, which the model builder checks). */
  readonly ruleStatement = this.RULE('ruleStatement', () => {
    this.OR(this.alts.effect ??= [
      { ALT: () => this.CONSUME(t.Allow) },
      { ALT: () => this.CONSUME(t.Deny) },
      { ALT: () => this.CONSUME(t.Approve) },
    ]);
    this.SUBRULE(this.selectorList);
    this.MANY(() =>
      this.OR2(this.alts.clause ??= [
        { ALT: () => this.SUBRULE(this.whenClause) },
        { ALT: () => this.SUBRULE(this.limitClause) },
        { ALT: () => this.SUBRULE(this.reasonClause) },
      ]),
    );
  });

  readonly whenClause = this.RULE('whenClause', () => {
    this.CONSUME(t.When);
    this.SUBRULE(this.condition);
  });

  readonly limitClause = this.RULE('limitClause', () => {
    this.CONSUME(t.Limit);
    this.SUBRULE(this.rate);
  });

  readonly reasonClause = this.RULE('reasonClause', () => {
    this.CONSUME(t.Reason);
    this.CONSUME(t.StringLiteral);
  });

  readonly limitAllStatement = this.RULE('limitAllStatement', () => {
    this.CONSUME(t.LimitAll);
    this.SUBRULE(this.rate);
  });

  /** `N per DURATION [by SCOPE]`, shared by a rule's limit and `limit all`. */
  readonly rate = this.RULE('rate', () => {
    this.CONSUME(t.NumberLiteral);
    this.CONSUME(t.Per);
    this.CONSUME(t.Duration);
    this.OPTION(() => {
      this.CONSUME(t.By);
      this.SUBRULE(this.scope);
    });
  });

  /** `identity`, `session` or `global`; the last two are names so they stay usable as keys. */
  readonly scope = this.RULE('scope', () => {
    this.OR(this.alts.scope ??= [{ ALT: () => this.CONSUME(t.Identity) }, { ALT: () => this.CONSUME(t.Name) }]);
  });

  readonly identityBlock = this.RULE('identityBlock', () => {
    this.CONSUME(t.Identity);
    this.CONSUME(t.NameOrString);
    this.CONSUME(t.LBrace);
    // Every statement parses here, so a misplaced `default` is one clear error, not a cascade.
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(t.RBrace);
  });

  // --- selectors -------------------------------------------------------------------------------

  readonly selectorList = this.RULE('selectorList', () => {
    this.SUBRULE(this.selector);
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.selector);
    });
  });

  readonly selector = this.RULE('selector', () => {
    this.OR(this.alts.selector ??= [
      {
        ALT: () => {
          this.CONSUME(t.Class);
          this.CONSUME(t.Name);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Risk);
          this.OPTION(() => this.SUBRULE(this.riskOperator));
          this.CONSUME2(t.Name);
        },
      },
      { ALT: () => this.CONSUME3(t.Name) },
      { ALT: () => this.CONSUME(t.Glob) },
      { ALT: () => this.CONSUME(t.StringLiteral) },
    ]);
  });

  readonly riskOperator = this.RULE('riskOperator', () => {
    this.OR(this.alts.riskOperator ??= [
      { ALT: () => this.CONSUME(t.Equal) },
      { ALT: () => this.CONSUME(t.GreaterEqual) },
      { ALT: () => this.CONSUME(t.Greater) },
      { ALT: () => this.CONSUME(t.LessEqual) },
      { ALT: () => this.CONSUME(t.Less) },
    ]);
  });

  // --- conditions: `not` binds tightest, then `and`, then `or` ---------------------------------

  readonly condition = this.RULE('condition', () => {
    this.SUBRULE(this.conjunction);
    this.MANY(() => {
      this.CONSUME(t.Or);
      this.SUBRULE2(this.conjunction);
    });
  });

  readonly conjunction = this.RULE('conjunction', () => {
    this.SUBRULE(this.negation);
    this.MANY(() => {
      this.CONSUME(t.And);
      this.SUBRULE2(this.negation);
    });
  });

  /** A loop, not recursion: a run of `not`s costs no stack. */
  readonly negation = this.RULE('negation', () => {
    this.MANY(() => this.CONSUME(t.Not));
    this.SUBRULE(this.primary);
  });

  readonly primary = this.RULE('primary', () => {
    this.OR(this.alts.primary ??= [
      {
        ALT: () => {
          this.CONSUME(t.LParen);
          this.SUBRULE(this.condition);
          this.CONSUME(t.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  /** Either side may be the path; the model builder flips `100 >= qty` and rejects the rest. */
  readonly comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.operand);
    this.OR(this.alts.comparison ??= [
      {
        ALT: () => {
          this.SUBRULE(this.compareOperator);
          this.SUBRULE2(this.operand);
        },
      },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(t.Not));
          this.CONSUME(t.In);
          this.SUBRULE(this.list);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Matches);
          this.CONSUME(t.StringLiteral);
        },
      },
      { ALT: () => this.CONSUME(t.Exists) },
    ]);
  });

  readonly compareOperator = this.RULE('compareOperator', () => {
    this.OR(this.alts.compareOperator ??= [
      { ALT: () => this.CONSUME(t.Equal) },
      { ALT: () => this.CONSUME(t.NotEqual) },
      { ALT: () => this.CONSUME(t.LessEqual) },
      { ALT: () => this.CONSUME(t.Less) },
      { ALT: () => this.CONSUME(t.GreaterEqual) },
      { ALT: () => this.CONSUME(t.Greater) },
    ]);
  });

  readonly operand = this.RULE('operand', () => {
    this.OR(this.alts.operand ??= [{ ALT: () => this.SUBRULE(this.path) }, { ALT: () => this.SUBRULE(this.literal) }]);
  });

  /** `order.qty`, `` `limit` ``, `` x.`a b`.y ``: every segment is labelled `segment`, in order. */
  readonly path = this.RULE('path', () => {
    this.OR(this.alts.firstSegment ??= [
      { ALT: () => this.CONSUME(t.Name, { LABEL: 'segment' }) },
      { ALT: () => this.CONSUME(t.BackquotedKey, { LABEL: 'segment' }) },
    ]);
    this.MANY(() => {
      this.CONSUME(t.Dot);
      this.OR2(this.alts.segment ??= [
        { ALT: () => this.CONSUME(t.AnyWord, { LABEL: 'segment' }) },
        { ALT: () => this.CONSUME2(t.BackquotedKey, { LABEL: 'segment' }) },
      ]);
    });
  });

  // --- values ----------------------------------------------------------------------------------

  readonly literal = this.RULE('literal', () => {
    this.OR(this.alts.literal ??= [
      { ALT: () => this.CONSUME(t.StringLiteral) },
      { ALT: () => this.CONSUME(t.NumberLiteral) },
      { ALT: () => this.CONSUME(t.True) },
      { ALT: () => this.CONSUME(t.False) },
      { ALT: () => this.CONSUME(t.Null) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  readonly list = this.RULE('list', () => {
    this.CONSUME(t.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.literal);
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.literal);
      });
    });
    this.CONSUME(t.RBracket);
  });
}

/** The one parser instance: building one runs chevrotain's grammar analysis, which is slow. */
export const dslParser = new PolicyParser();

export type StartRule = 'policy' | 'condition' | 'selectorList';

/** Runs one start rule over `tokens`; the errors are left on `dslParser.errors`. */
export function parseTokens(tokens: IToken[], start: StartRule) {
  dslParser.input = tokens;
  return dslParser[start]();
}
