// How single values are spelt in the DSL: strings, numbers, tool names, argument paths. Whether
// a word can be written bare is asked of the DSL's own lexer, not of a copy of its patterns, so
// the printer and the front end cannot disagree about what `limit`, `x.1` or `get_*` is.
//
// A model the front ends produce is always printable. A value no DSL text can hold (a tool name
// that is empty, a glob that is not one token, a key with a backquote in it) is a bug upstream,
// so it throws instead of printing something that would read back differently.

import { tokenMatcher, type IToken, type TokenType } from 'chevrotain';

import type { JsonValue } from '../../model/json.js';
import * as t from '../dsl/tokens.js';

/** Thrown for a model no DSL text can express: an internal error, never a user's mistake. */
export class UnprintableModel extends Error {
  override readonly name = 'UnprintableModel';
}

function lexesAs(text: string, accept: (token: IToken) => boolean): boolean {
  if (text === '') return false;
  const lexed = t.dslLexer.tokenize(text);
  const only = lexed.tokens[0];
  return (
    lexed.tokens.length === 1 &&
    lexed.errors.length === 0 &&
    Object.values(lexed.groups).every((group) => group.length === 0) &&
    only !== undefined &&
    only.image === text &&
    accept(only)
  );
}

function isType(type: TokenType): (token: IToken) => boolean {
  return (token) => token.tokenType === type;
}

/** A double-quoted DSL string: JSON's escapes, which the DSL reads back exactly (lone surrogates too). */
export function stringText(value: string): string {
  return JSON.stringify(value);
}

/** A number as JSON writes it; -0 keeps its sign, so the value reads back identical. */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new UnprintableModel(`the number ${value} has no DSL spelling`);
  return Object.is(value, -0) ? '-0' : JSON.stringify(value);
}

export function literalText(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(literalText).join(', ')}]`;
  switch (typeof value) {
    case 'string':
      return stringText(value);
    case 'number':
      return numberText(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      throw new UnprintableModel('an object literal has no DSL spelling');
  }
}

/** A tool name: bare when the lexer reads it as one name (`get_order_list`), else quoted (`"allow"`). */
export function toolNameText(name: string): string {
  if (name === '') throw new UnprintableModel('a tool name cannot be empty');
  return lexesAs(name, isType(t.Name)) ? name : stringText(name);
}

/** A glob is written as it is: quoting would make it an exact name. */
export function globText(pattern: string): string {
  if (!lexesAs(pattern, isType(t.Glob)) || pattern === '*') throw new UnprintableModel(`the glob ${JSON.stringify(pattern)} is not one glob token`);
  return pattern;
}

/** The word after `class` or `risk`, which the grammar takes only as a bare name. */
export function wordText(word: string): string {
  if (!lexesAs(word, isType(t.Name))) throw new UnprintableModel(`${JSON.stringify(word)} cannot follow \`class\` or \`risk\``);
  return word;
}

/** An identity's or server's name: always quoted, the one spelling whatever the input used. */
export function quotedNameText(name: string): string {
  return stringText(name);
}

const BARE_SEGMENT = /^[A-Za-z0-9_-]+$/;

function backquoted(segment: string): string {
  if (/[`\r\n]/.test(segment)) throw new UnprintableModel(`the key ${JSON.stringify(segment)} has no DSL spelling`);
  return `\`${segment}\``;
}

/**
 * An argument path, with as few backquotes as the lexer allows: `order.qty`, `limit.max`,
 * `` `limit` `` (a keyword alone is not a path), `` x.`a b`.y ``, `` `1`.x ``. A run of segments
 * is written bare when it lexes as one name token (at the start) or one word (after a dot).
 */
export function pathText(segments: readonly string[]): string {
  if (segments.length === 0) throw new UnprintableModel('an argument path has no segments');
  const parts: string[] = [];
  let i = 0;
  while (i < segments.length) {
    const accept = parts.length === 0 ? isType(t.Name) : (token: IToken) => tokenMatcher(token, t.AnyWord);
    let end = i;
    for (let j = segments.length; j > i; j--) {
      const run = segments.slice(i, j);
      if (run.every((segment) => BARE_SEGMENT.test(segment)) && lexesAs(run.join('.'), accept)) {
        end = j;
        break;
      }
    }
    if (end > i) {
      parts.push(segments.slice(i, end).join('.'));
      i = end;
    } else {
      parts.push(backquoted(segments[i]!));
      i += 1;
    }
  }
  return parts.join('.');
}
