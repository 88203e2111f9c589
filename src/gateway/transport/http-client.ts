// Upstream over Streamable HTTP, through the SDK's client transport (sessions, SSE streams,
// protocol-version headers). One transport per downstream session, so each caller has its own
// upstream session and server→client requests never cross between callers.

import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

import { classify, ErrorCodes, type JsonRpcMessage } from '../jsonrpc.js';
import type { Channel, ChannelEnd } from './channel.js';

export interface HttpUpstream {
  url: URL;
  /** Extra request headers, e.g. the upstream's own Authorization. */
  headers?: Record<string, string>;
}

export function httpClientChannel(spec: HttpUpstream): Channel {
  const transport = new StreamableHTTPClientTransport(spec.url, spec.headers ? { requestInit: { headers: spec.headers } } : undefined);
  let ended = false;

  const channel: Channel = {
    async start() {
      transport.onmessage = (message: JSONRPCMessage) => channel.onmessage?.(classify(message));
      transport.onerror = (error: Error) => {
        // A body that is not JSON-RPC is garbage from the upstream: the relay fails every waiting
        // request rather than guess which one it answered.
        if (error instanceof SyntaxError || error.name === 'ZodError' || error.name === '$ZodError') {
          channel.onmessage?.({ kind: 'invalid', id: null, code: ErrorCodes.parseError, reason: error.message });
          return;
        }
        channel.onerror?.(error);
      };
      transport.onclose = () => finish({ reason: 'closed the connection', expected: true });
      await transport.start();
    },
    async send(message: JsonRpcMessage) {
      if (ended) throw new Error('the upstream connection is closed');
      try {
        await transport.send(message as JSONRPCMessage);
      } catch (error) {
        // The upstream forgot the session (restart, expiry): this session cannot go on.
        if (error instanceof StreamableHTTPError && error.code === 404) {
          finish({ reason: 'no longer knows this session (HTTP 404)', expected: false });
        }
        throw error;
      }
    },
    async close() {
      if (!ended) await transport.terminateSession().catch(() => undefined);
      await transport.close().catch(() => undefined);
    },
    setProtocolVersion(version: string) {
      transport.setProtocolVersion(version);
    },
  };

  function finish(end: ChannelEnd): void {
    if (ended) return;
    ended = true;
    channel.onclose?.(end);
  }

  return channel;
}
