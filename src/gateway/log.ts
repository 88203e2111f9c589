// The gateway's own messages. They go to stderr: over stdio, stdout is the MCP channel and a
// stray line there would corrupt it.

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Per-message detail, only with --verbose. */
  debug(message: string): void;
}

export function stderrLogger(options: { verbose?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const write = (level: string, message: string): void => {
    stream.write(`policyc serve: ${level}${message}\n`);
  };
  return {
    info: (message) => write('', message),
    warn: (message) => write('warning: ', message),
    error: (message) => write('error: ', message),
    debug: (message) => {
      if (options.verbose) write('', message);
    },
  };
}

/**
 * A caller's text (a tool or method name, an id) as it goes into a log line: JSON-quoted, and
 * with the characters JSON leaves alone but a terminal or a log viewer does not — C1 controls,
 * zero-width and bidi controls, line and paragraph separators, the byte-order mark — escaped too,
 * so a name cannot forge a line, hide itself, or reorder what the operator reads.
 */
export function quoted(value: string | number): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
