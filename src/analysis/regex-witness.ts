// Strings that a `matches` pattern accepts, so that the analysis has a representative of "the
// strings this pattern matches" to put beside "the strings it does not". A small generator over
// the common part of JavaScript's pattern syntax (literals, classes, escapes, groups, alternation,
// quantifiers); anything else (lookarounds, back references, word boundaries) gives no witness.
//
// Nothing here has to be right: every witness is tested against the enforcer's own regular
// expression before the analysis uses it, and a pattern with too few witnesses makes the analysis
// say it is not exhaustive instead of guessing.

/** A pattern as a tree of what a match is made of. */
type Node =
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'literal'; text: string }
  /** A character class, `.` or a class escape (`\d`): tried against sample characters. */
  | { kind: 'atom'; source: string }
  | { kind: 'repeat'; node: Node; min: number; max: number };

/** Characters tried, in order, for an atom such as `.`, `\w` or `[^a-z]`. */
const CHARACTERS = ['a', 'A', '0', 'x', 'Z', '9', '_', '-', '.', ' ', '~', '/', ':', '@', '\u00e9', '\u4e2d', '!', '\t'];

class Unsupported extends Error {}

class PatternReader {
  private at = 0;
  constructor(private readonly text: string) {}

  read(): Node {
    const node = this.alternation();
    if (this.at < this.text.length) throw new Unsupported('unbalanced');
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.at < this.text.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return { kind: 'seq', items };
  }

  private quantified(node: Node): Node {
    const ch = this.peek();
    let min: number;
    let max: number;
    if (ch === '*') [min, max] = [0, Infinity];
    else if (ch === '+') [min, max] = [1, Infinity];
    else if (ch === '?') [min, max] = [0, 1];
    else if (ch === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.text.slice(this.at));
      if (!match) return node;
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
      this.at += match[0].length - 1;
    } else return node;
    this.at++;
    if (this.peek() === '?') this.at++; // lazy: the same strings
    return this.quantified({ kind: 'repeat', node, min, max });
  }

  private atom(): Node {
    const ch = this.peek();
    if (ch === '(') return this.group();
    if (ch === '[') return { kind: 'atom', source: this.characterClass() };
    if (ch === '\\') return this.escape();
    if (ch === '^' || ch === '$') {
      // The enforcer anchors the whole pattern; an anchor at either end matches the empty string.
      this.at++;
      return { kind: 'seq', items: [] };
    }
    const char = String.fromCodePoint(this.text.codePointAt(this.at)!);
    this.at += char.length;
    return char === '.' ? { kind: 'atom', source: '.' } : { kind: 'literal', text: char };
  }

  private group(): Node {
    this.at++;
    if (this.peek() === '?') {
      const rest = this.text.slice(this.at);
      if (rest.startsWith('?:')) this.at += 2;
      else if (/^\?<[A-Za-z_$][\w$]*>/.test(rest)) this.at = this.text.indexOf('>', this.at) + 1;
      else throw new Unsupported('lookaround');
    }
    const inner = this.alternation();
    if (this.peek() !== ')') throw new Unsupported('unclosed group');
    this.at++;
    return inner;
  }

  private characterClass(): string {
    const start = this.at;
    this.at++;
    // In JavaScript `[]` and `[^]` are complete classes (nothing, anything): `]` closes at once.
    if (this.peek() === '^') this.at++;
    while (this.at < this.text.length && this.peek() !== ']') this.at += this.peek() === '\\' ? 2 : 1;
    if (this.peek() !== ']') throw new Unsupported('unclosed class');
    this.at++;
    return this.text.slice(start, this.at);
  }

  private escape(): Node {
    const rest = this.text.slice(this.at);
    const match = /^\\(u\{[0-9A-Fa-f]+\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|c[A-Za-z]|[pP]\{[^}]*\}|.)/u.exec(rest);
    if (!match) throw new Unsupported('dangling escape');
    const body = match[1]!;
    if (/^[bB1-9k]/.test(body)) throw new Unsupported('assertion or back reference');
    this.at += match[0].length;
    const literal = escapedCharacter(body);
    return literal === undefined ? { kind: 'atom', source: match[0] } : { kind: 'literal', text: literal };
  }

  private peek(): string | undefined {
    return this.text[this.at];
  }
}

const CONTROL_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v', '0': '\0' };

/** The character an escape stands for (`\.` → `.`, `\n`, `\x41`, `\u{1F600}`), or undefined for a class escape (`\d`). */
function escapedCharacter(body: string): string | undefined {
  if (body.length === 1) {
    if (Object.hasOwn(CONTROL_ESCAPES, body)) return CONTROL_ESCAPES[body];
    return /[A-Za-z0-9]/.test(body) ? undefined : body;
  }
  const hex = /^(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|u\{([0-9A-Fa-f]+)\})$/.exec(body);
  if (hex) {
    const code = parseInt(hex[1] ?? hex[2] ?? hex[3]!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  if (/^c[A-Za-z]$/.test(body)) return String.fromCharCode(body.charCodeAt(1) % 32);
  return undefined;
}

/** Bounded caches: lint runs again on every reload of a long-running gateway. */
function cached<V>(cache: Map<string, V>, key: string, compute: () => V): V {
  if (cache.has(key)) return cache.get(key) as V;
  if (cache.size >= 1_000) cache.clear();
  const value = compute();
  cache.set(key, value);
  return value;
}

const characters = new Map<string, string | undefined>();
const witnesses = new Map<string, string[]>();

/** The first character that the atom (`.`, `\d`, `[^a-z]`, `é`) matches, if any of those tried. */
function characterFor(source: string): string | undefined {
  return cached(characters, source, () => firstCharacter(source));
}

function firstCharacter(source: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${source})$`, 'u');
  } catch {
    return undefined;
  }
  return CHARACTERS.find((ch) => regex.test(ch));
}

/** Strings the node matches: the shortest, and one that takes every repetition once more. */
function generate(node: Node, longer: boolean, branch: number): string | undefined {
  switch (node.kind) {
    case 'literal':
      return node.text;
    case 'atom':
      return characterFor(node.source);
    case 'seq': {
      let text = '';
      for (const item of node.items) {
        const part = generate(item, longer, branch);
        if (part === undefined) return undefined;
        text += part;
      }
      return text;
    }
    case 'alt':
      return generate(node.options[branch % node.options.length]!, longer, 0);
    case 'repeat': {
      const count = longer && node.max > node.min ? node.min + 1 : node.min;
      const part = generate(node.node, longer, branch);
      if (part === undefined) return count === 0 ? '' : undefined;
      return part.repeat(count);
    }
  }
}

/** Up to a handful of strings the pattern might match, most of them different; [] when it uses syntax the generator does not know. */
export function regexWitnesses(pattern: string): string[] {
  return cached(witnesses, pattern, () => generateWitnesses(pattern));
}

function generateWitnesses(pattern: string): string[] {
  let tree: Node;
  try {
    tree = new PatternReader(pattern).read();
  } catch {
    return [];
  }
  const branches = tree.kind === 'alt' ? tree.options.length : 1;
  const found = new Set<string>();
  for (let branch = 0; branch < Math.min(branches, 4); branch++) {
    for (const longer of [false, true]) {
      const text = generate(tree, longer, branch);
      if (text !== undefined) found.add(text);
    }
  }
  return [...found];
}
