// Token images → values. The lexer accepts any quoted text on one line (see `StringLiteral`), so
// this is where a bad string is found: unterminated, an unknown escape, a raw control character.
// Each problem comes back with the offset of the character at fault, so the message points at it.

/** A problem inside one token; `offset` and `length` are relative to the token's start. */
export interface LiteralProblem {
  offset: number;
  length: number;
  message: string;
}

export interface Decoded<T> {
  value: T;
  problem?: LiteralProblem;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function hex(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what it rules out
const PLAIN_STRING = /^"[^"\\\u0000-\u001f]*"$/;

/** A double-quoted string with JSON escapes; the value is best effort when there is a problem. */
export function decodeString(image: string): Decoded<string> {
  if (PLAIN_STRING.test(image)) return { value: image.slice(1, -1) };
  let value = '';
  let problem: LiteralProblem | undefined;
  const note = (offset: number, length: number, message: string) => {
    problem ??= { offset, length, message };
  };
  let i = 1;
  for (; i < image.length; i++) {
    const ch = image[i]!;
    if (ch === '"') break;
    if (ch === '\\') {
      const next = image[i + 1] ?? '';
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        value += simple;
        i++;
      } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(image.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(image.slice(i + 2, i + 6), 16));
        i += 5;
      } else {
        const shown = next === 'u' ? `\\u${image.slice(i + 2, i + 6)}` : `\\${next}`;
        note(i, shown.length, `invalid escape \`${shown}\` in a string; the escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX`);
        value += next;
        i++;
      }
      continue;
    }
    const code = ch.charCodeAt(0);
    if (code < 0x20) {
      note(i, 1, `control character ${hex(code)} in a string; write it as an escape (\\t, \\n or \\u${code.toString(16).padStart(4, '0')})`);
    }
    value += ch;
  }
  if (image.length < 2 || image[image.length - 1] !== '"' || i !== image.length - 1) {
    note(0, image.length, 'unterminated string: add the closing `"` on the same line');
  }
  return problem === undefined ? { value } : { value, problem };
}

/** `` `limit` ``: the key between the backquotes, which may be anything but a backquote. */
export function decodeBackquoted(image: string): Decoded<string> {
  const closed = image.length >= 2 && image.endsWith('`');
  const value = closed ? image.slice(1, -1) : image.slice(1);
  if (!closed) {
    return { value, problem: { offset: 0, length: image.length, message: 'unterminated key: add the closing backquote on the same line' } };
  }
  return { value };
}

/** A JSON number; one that does not fit a double (`1e400`) is a problem, not Infinity. */
export function decodeNumber(image: string): Decoded<number> {
  const value = Number(image);
  if (!Number.isFinite(value)) {
    return { value: NaN, problem: { offset: 0, length: image.length, message: `the number \`${image}\` is out of range` } };
  }
  return { value };
}
