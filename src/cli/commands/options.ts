// Parsing option values, with errors that say which flag was wrong (exit 2).

import { InputError } from '../../errors.js';

export function parseCount(value: string, flag: string): number {
  if (!/^[0-9]+$/.test(value)) throw new InputError(`${flag} must be a whole number (got "${value}")`);
  return Number(value);
}
