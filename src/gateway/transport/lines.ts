// Newline-delimited JSON-RPC, as MCP's stdio transport frames it: one message per line, UTF-8.
// Bytes are collected until a newline and decoded as a whole line (a multi-byte character split
// across chunks stays intact). A line longer than the cap is dropped, whole, and reported once,
// so a peer cannot make the gateway buffer without bound.

import { parseMessage, ErrorCodes, type Inbound } from '../jsonrpc.js';

export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

export interface LineDecoder {
  push(chunk: Buffer): void;
  /** Whatever is left without a final newline when the stream ends. */
  end(): void;
}

export function createLineDecoder(onMessage: (inbound: Inbound) => void, maxLineBytes = DEFAULT_MAX_LINE_BYTES): LineDecoder {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let discarding = false;

  const emitLine = (bytes: Buffer): void => {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    const line = bytes.toString('utf8', 0, end);
    // A message starts with `{` (or `[`); only anything else is looked at for being blank, so a
    // long line is not copied by trim() just to find that it is not.
    const first = bytes[0];
    if (first !== 0x7b && first !== 0x5b && line.trim() === '') return;
    onMessage(parseMessage(line));
  };

  const tooLong = (): void => {
    onMessage({ kind: 'invalid', id: null, code: ErrorCodes.invalidRequest, reason: `message longer than ${maxLineBytes} bytes` });
  };

  return {
    push(chunk: Buffer): void {
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, start);
        if (newline === -1) break;
        const piece = chunk.subarray(start, newline);
        start = newline + 1;
        if (discarding) {
          discarding = false;
          pending = [];
          pendingBytes = 0;
          continue;
        }
        if (pendingBytes + piece.length > maxLineBytes) {
          pending = [];
          pendingBytes = 0;
          tooLong();
          continue;
        }
        const line = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        pendingBytes = 0;
        emitLine(line);
      }
      if (start >= chunk.length || discarding) return;
      const rest = chunk.subarray(start);
      pendingBytes += rest.length;
      if (pendingBytes > maxLineBytes) {
        pending = [];
        pendingBytes = 0;
        discarding = true;
        tooLong();
        return;
      }
      // Copy: the stream may reuse the chunk's memory.
      pending.push(Buffer.from(rest));
    },
    end(): void {
      if (!discarding && pendingBytes > 0) emitLine(Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
      discarding = false;
    },
  };
}

export function encodeLine(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}
