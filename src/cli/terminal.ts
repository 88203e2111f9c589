// Whether to colour output: only on a terminal, never when NO_COLOR is set (no-color.org), and
// always when FORCE_COLOR asks for it.

export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Writes text to a stream, adding the final newline that terminal output needs. */
export function writeText(stream: NodeJS.WriteStream, text: string): void {
  if (text === '') return;
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
