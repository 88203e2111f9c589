// Downstream over stdio: the agent's client launched `policyc serve` and talks on its stdin and
// stdout. Nothing else may ever be written to stdout; logs go to stderr.

import type { Readable, Writable } from 'node:stream';

import { DEFAULT_MAX_BODY_BYTES, type JsonRpcMessage } from '../jsonrpc.js';
import type { Channel, ChannelEnd } from './channel.js';
import { createLineDecoder, encodeLine } from './lines.js';

/**
 * `maxLineBytes` caps one message from the client, as `--max-body` caps an HTTP body: a longer
 * line is refused as it streams in, never held whole.
 */
export function stdioServerChannel(input: Readable = process.stdin, output: Writable = process.stdout, maxLineBytes = DEFAULT_MAX_BODY_BYTES): Channel {
  let ended = false;
  const channel: Channel = {
    async start() {
      const decoder = createLineDecoder((inbound) => channel.onmessage?.(inbound), maxLineBytes);
      input.on('data', (chunk: Buffer) => decoder.push(chunk));
      input.on('end', () => {
        decoder.end();
        finish({ reason: 'closed its input', expected: false });
      });
      input.on('error', (error) => finish({ reason: `input failed: ${error.message}`, expected: false }));
      output.on('error', (error) => finish({ reason: `output failed: ${error.message}`, expected: false }));
    },
    send(message: JsonRpcMessage) {
      return writeLine(output, encodeLine(message), () => ended);
    },
    async close() {
      finish({ reason: 'closed by the gateway', expected: true });
    },
  };

  function finish(end: ChannelEnd): void {
    if (ended) return;
    ended = true;
    // Nothing more is read; a destroyed stdin also stops holding the process open.
    input.destroy();
    channel.onclose?.(end);
  }

  return channel;
}

/** Writes one line, waiting for the stream to drain when its buffer is full (slow readers). */
export function writeLine(output: Writable, line: string, isClosed: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (isClosed() || output.destroyed || output.writableEnded) {
      reject(new Error('the connection is closed'));
      return;
    }
    const flushed = output.write(line, (error) => {
      if (error) reject(error);
      else if (flushed) resolve();
    });
    if (!flushed) output.once('drain', resolve);
  });
}
