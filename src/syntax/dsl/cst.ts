// Small, typed reads of chevrotain's CST, which is a bag of `children` keyed by token and rule
// names. Everything here tolerates the holes that error recovery leaves: a missing child reads
// as undefined, never as an exception.

import type { CstElement, CstNode, IToken } from 'chevrotain';

function isToken(element: CstElement): element is IToken {
  return 'tokenType' in element;
}

export function childNodes(node: CstNode, key: string): CstNode[] {
  return (node.children[key] ?? []).filter((element): element is CstNode => !isToken(element));
}

export function childNode(node: CstNode, key: string): CstNode | undefined {
  const elements = node.children[key];
  if (elements !== undefined) for (const element of elements) if (!isToken(element)) return element;
  return undefined;
}

export function childTokens(node: CstNode, key: string): IToken[] {
  return (node.children[key] ?? []).filter(isToken);
}

export function childToken(node: CstNode, key: string): IToken | undefined {
  const elements = node.children[key];
  if (elements !== undefined) for (const element of elements) if (isToken(element)) return element;
  return undefined;
}

/** The node's one child node, whatever its rule (for `statement`, `operand`, …). */
export function onlyChildNode(node: CstNode): CstNode | undefined {
  for (const elements of Object.values(node.children)) {
    for (const element of elements) if (!isToken(element)) return element;
  }
  return undefined;
}

/** A token that is really in the text: not inserted by recovery, with a usable position. */
export function isTextToken(token: IToken | undefined): token is IToken {
  return token !== undefined && !token.isInsertedInRecovery && Number.isFinite(token.startOffset) && token.startOffset >= 0;
}

/** The offset just past a token (chevrotain's `endOffset` is inclusive, and optional in its types). */
export function tokenEnd(token: IToken): number {
  return token.startOffset + token.image.length;
}

/** [start, end) of a node in the text, or undefined when recovery left it without tokens. */
export function nodeRange(node: CstNode): { start: number; end: number } | undefined {
  const location = node.location;
  if (location === undefined) return undefined;
  const { startOffset, endOffset } = location;
  if (!Number.isFinite(startOffset) || startOffset < 0 || endOffset === undefined || !Number.isFinite(endOffset)) return undefined;
  return { start: startOffset, end: endOffset + 1 };
}

/** Whether recovery touched the node: re-synced inside it, or inserted a token. */
export function isRecovered(node: CstNode): boolean {
  if (node.recoveredNode) return true;
  for (const elements of Object.values(node.children)) {
    for (const element of elements) {
      if (isToken(element) ? !isTextToken(element) : isRecovered(element)) return true;
    }
  }
  return false;
}
