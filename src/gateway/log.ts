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

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
