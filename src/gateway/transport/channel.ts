// One end of an MCP connection as the relay sees it: JSON-RPC messages in and out, already
// checked (`Inbound`), and one notice when the connection ends. Downstream (the agent's client)
// and upstream (the real server) look the same, whatever carries them: stdio lines, a child
// process, or Streamable HTTP.

import type { Inbound, JsonRpcMessage, RequestId } from '../jsonrpc.js';

export interface SendOptions {
  /** The client request a server→client message belongs to (Streamable HTTP routes by it). */
  relatedRequestId?: RequestId;
}

export interface ChannelEnd {
  /** What happened, as a phrase: "exited with code 1", "closed its input". */
  reason: string;
  /** True when this side asked for the end (close()), false when the other side went away. */
  expected: boolean;
}

export interface Channel {
  start(): Promise<void>;
  /** Rejects when the message cannot be handed to the other side. */
  send(message: JsonRpcMessage, options?: SendOptions): Promise<void>;
  close(): Promise<void>;
  onmessage?: (inbound: Inbound) => void;
  /** Called once, whichever side ended the connection. */
  onclose?: (end: ChannelEnd) => void;
  /** Trouble that does not end the connection, worth a log line. */
  onerror?: (error: Error) => void;
  /** Streamable HTTP upstreams send the negotiated version as a header on every request. */
  setProtocolVersion?: (version: string) => void;
}
