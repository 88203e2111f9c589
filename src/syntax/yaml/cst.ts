// Facts read from the `yaml` package's concrete syntax tree before anything is composed from it:
// how deeply collections nest (composing recurses, so a 100,000-deep `[[[…` must be refused
// before that) and where the comments are (suppressions live in comments, which the composed
// document only keeps as loose text without positions).

import type { CST } from 'yaml';

/** A `# …` comment; `offset` is where the `#` is in the file. */
export interface YamlComment {
  offset: number;
  text: string;
}

export interface CstFacts {
  /** Where the first collection nested deeper than allowed starts, if there is one. */
  tooDeepAt?: number;
  comments: YamlComment[];
}

const COLLECTION_TYPES = new Set(['block-map', 'block-seq', 'flow-collection']);

/** Walks every token with an explicit stack: the tree can be as deep as the input is long. */
export function scanCst(tokens: readonly CST.Token[], maxDepth: number): CstFacts {
  const comments = new Map<number, YamlComment>();
  let tooDeepAt: number | undefined;
  const stack: { value: unknown; depth: number }[] = tokens.map((value) => ({ value, depth: 0 }));
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, depth });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const token = value as { type?: unknown; offset?: unknown; source?: unknown };
    let inner = depth;
    if (typeof token.type === 'string' && COLLECTION_TYPES.has(token.type)) {
      inner = depth + 1;
      if (inner > maxDepth) {
        const offset = typeof token.offset === 'number' ? token.offset : 0;
        tooDeepAt = tooDeepAt === undefined ? offset : Math.min(tooDeepAt, offset);
        continue;
      }
    }
    if (token.type === 'comment' && typeof token.offset === 'number' && typeof token.source === 'string') {
      comments.set(token.offset, { offset: token.offset, text: token.source });
    }
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: inner });
    }
  }
  const sorted = [...comments.values()].sort((a, b) => a.offset - b.offset);
  return tooDeepAt === undefined ? { comments: sorted } : { tooDeepAt, comments: sorted };
}
