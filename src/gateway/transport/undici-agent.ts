// The process's one undici Agent for HTTP upstreams, in a module of its own so that it (and undici
// with its HTTP parser compiled to WebAssembly) is loaded only when an HTTP upstream starts:
// serve with a stdio upstream, and every other command, never pays for it.

import { Agent, type Dispatcher } from 'undici';

let agent: Dispatcher | undefined;

export function upstreamAgent(): Dispatcher {
  // No timeouts of undici's own (300 s for headers and between body chunks): the relay times each
  // request (--request-timeout), and the GET stream may rightly be silent for hours.
  agent ??= new Agent({ headersTimeout: 0, bodyTimeout: 0 });
  return agent;
}
