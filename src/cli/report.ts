// Printing diagnostics in the format a person or a CI system asked for.

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { InputError } from '../errors.js';
import { useColor, writeText } from './terminal.js';

export const FORMATS = ['pretty', 'json', 'sarif', 'github'] as const;
export type DiagnosticFormat = (typeof FORMATS)[number];

export function parseFormat(value: string, allowed: readonly string[] = FORMATS): DiagnosticFormat {
  if (!allowed.includes(value)) throw new InputError(`--format must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as DiagnosticFormat;
}

export async function renderDiagnostics(
  format: DiagnosticFormat,
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, SourceText>,
  stream: NodeJS.WriteStream,
  toolVersion: string,
): Promise<string> {
  switch (format) {
    case 'pretty': {
      const { renderPretty } = await import('../diagnostics/render/pretty.js');
      return renderPretty(diagnostics, sources, { color: useColor(stream) });
    }
    case 'json': {
      const { renderJson } = await import('../diagnostics/render/json.js');
      return renderJson(diagnostics);
    }
    case 'sarif': {
      const { renderSarif } = await import('../diagnostics/render/sarif.js');
      return renderSarif(diagnostics, { toolVersion });
    }
    case 'github': {
      const { renderGithub } = await import('../diagnostics/render/github.js');
      return renderGithub(diagnostics);
    }
  }
}

export async function printDiagnostics(
  format: DiagnosticFormat,
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, SourceText>,
  stream: NodeJS.WriteStream,
  toolVersion: string,
): Promise<void> {
  writeText(stream, await renderDiagnostics(format, diagnostics, sources, stream, toolVersion));
}
