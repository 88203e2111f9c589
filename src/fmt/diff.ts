// A short line diff for `policyc fmt --check`: enough to see what the formatter would change, in
// the unified format people know from `git diff`, cut off after a screenful.

export interface DiffOptions {
  /** Unchanged lines shown around each change. */
  context?: number;
  /** At most this many lines of hunks; the rest is summarised. */
  maxLines?: number;
}

type Op = { kind: ' ' | '-' | '+'; text: string; oldLine: number; newLine: number };

/** Above this many cells the exact comparison is skipped and the differing middle shown whole. */
const MAX_TABLE_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script from `a` to `b`: common prefix and suffix, and a longest common subsequence between. */
function editScript(a: readonly string[], b: readonly string[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const ops: Op[] = [];
  for (let i = 0; i < prefix; i++) ops.push({ kind: ' ', text: a[i]!, oldLine: i + 1, newLine: i + 1 });
  ops.push(...middle(a.slice(prefix, a.length - suffix), b.slice(prefix, b.length - suffix), prefix));
  for (let k = suffix; k > 0; k--) {
    const i = a.length - k;
    const j = b.length - k;
    ops.push({ kind: ' ', text: a[i]!, oldLine: i + 1, newLine: j + 1 });
  }
  return ops;
}

function middle(a: readonly string[], b: readonly string[], offset: number): Op[] {
  const n = a.length;
  const m = b.length;
  const ops: Op[] = [];
  if ((n + 1) * (m + 1) > MAX_TABLE_CELLS) {
    a.forEach((text, i) => ops.push({ kind: '-', text, oldLine: offset + i + 1, newLine: offset + 1 }));
    b.forEach((text, j) => ops.push({ kind: '+', text, oldLine: offset + n + 1, newLine: offset + j + 1 }));
    return ops;
  }
  // lcs[i][j]: the length of a longest common subsequence of a[i..] and b[j..].
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i]!, oldLine: offset + i + 1, newLine: offset + j + 1 });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      // On a tie, the old line goes first: `-` before `+`, as diff tools show a changed line.
      ops.push({ kind: '-', text: a[i]!, oldLine: offset + i + 1, newLine: offset + j + 1 });
      i++;
    } else {
      ops.push({ kind: '+', text: b[j]!, oldLine: offset + i + 1, newLine: offset + j + 1 });
      j++;
    }
  }
  return ops;
}

/** Hunks of changed lines with `context` lines around them, as [start, end) ranges of the script. */
function hunks(ops: readonly Op[], context: number): [number, number][] {
  const ranges: [number, number][] = [];
  ops.forEach((op, index) => {
    if (op.kind === ' ') return;
    const start = Math.max(0, index - context);
    const end = Math.min(ops.length, index + context + 1);
    const last = ranges[ranges.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else ranges.push([start, end]);
  });
  return ranges;
}

function hunkHeader(ops: readonly Op[]): string {
  const first = ops[0]!;
  const oldCount = ops.filter((op) => op.kind !== '+').length;
  const newCount = ops.filter((op) => op.kind !== '-').length;
  const oldStart = oldCount === 0 ? first.oldLine - 1 : ops.find((op) => op.kind !== '+')!.oldLine;
  const newStart = newCount === 0 ? first.newLine - 1 : ops.find((op) => op.kind !== '-')!.newLine;
  return `@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`;
}

/** A unified diff of two texts, or '' when they have the same lines. Line-ending changes alone show as none. */
export function shortDiff(name: string, before: string, after: string, options: DiffOptions = {}): string {
  const context = options.context ?? 2;
  const maxLines = options.maxLines ?? 40;
  const ops = editScript(splitLines(before), splitLines(after));
  const ranges = hunks(ops, context);
  if (ranges.length === 0) return '';
  const out = [`--- ${name}`, `+++ ${name} (formatted)`];
  let shown = 0;
  let cut = 0;
  for (const [start, end] of ranges) {
    const hunk = ops.slice(start, end);
    if (shown >= maxLines) {
      cut += hunk.filter((op) => op.kind !== ' ').length;
      continue;
    }
    out.push(hunkHeader(hunk));
    for (const op of hunk) {
      if (shown < maxLines) out.push(`${op.kind}${op.text}`);
      else if (op.kind !== ' ') cut++;
      shown++;
    }
  }
  if (cut > 0) out.push(`… and ${cut} more changed lines`);
  return `${out.join('\n')}\n`;
}
