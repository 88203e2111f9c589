// Counting diagnostics by severity, the same way in every output format.

import type { Diagnostic } from '../diagnostic.js';

export interface SeverityCounts {
  errors: number;
  warnings: number;
  infos: number;
}

export function countSeverities(diagnostics: readonly Diagnostic[]): SeverityCounts {
  const counts: SeverityCounts = { errors: 0, warnings: 0, infos: 0 };
  for (const diagnostic of diagnostics) {
    if (diagnostic.severity === 'error') counts.errors++;
    else if (diagnostic.severity === 'warning') counts.warnings++;
    else counts.infos++;
  }
  return counts;
}

/** `2 errors, 1 warning`; only the severities that occur; empty when there is nothing. */
export function summaryText(counts: SeverityCounts): string {
  const parts: string[] = [];
  if (counts.errors > 0) parts.push(`${counts.errors} ${counts.errors === 1 ? 'error' : 'errors'}`);
  if (counts.warnings > 0) parts.push(`${counts.warnings} ${counts.warnings === 1 ? 'warning' : 'warnings'}`);
  if (counts.infos > 0) parts.push(`${counts.infos} ${counts.infos === 1 ? 'info' : 'infos'}`);
  return parts.join(', ');
}
