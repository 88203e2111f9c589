// What a command takes from the policyc configuration and its own flags: the compile options
// every policy is read with (extra catalogues, severity overrides, strict), and lint's
// --max-warnings default. A broken configuration stops the command (exit 2) after saying why.

import type { PolicycConfig } from '../config/config.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { InputError } from '../errors.js';
import type { CompileOptions } from '../pipeline.js';
import { printDiagnostics } from './report.js';
import { packageVersion } from './version.js';

export interface SettingsFlags {
  /** --config FILE; otherwise the nearest policyc.config.* at or above the current folder. */
  config?: string;
  /** --catalog FILE */
  catalog?: string;
  /** --strict */
  strict?: boolean;
}

export interface CommandSettings {
  compile: CompileOptions;
  maxWarnings?: number;
  config?: PolicycConfig;
}

export async function commandSettings(flags: SettingsFlags): Promise<CommandSettings> {
  const config = await readConfig(flags.config);
  const strict = flags.strict === true || config?.lint.strict === true;
  const severities = config?.lint.severities;
  const compile: CompileOptions = {
    ...(flags.catalog === undefined ? {} : { catalogPath: flags.catalog }),
    ...(config && config.catalogs.size > 0 ? { catalogs: config.catalogs } : {}),
    ...(strict || (severities?.size ?? 0) > 0 ? { lint: { ...(severities ? { severities } : {}), strict } } : {}),
  };
  return { compile, ...(config?.maxWarnings === undefined ? {} : { maxWarnings: config.maxWarnings }), ...(config ? { config } : {}) };
}

async function readConfig(flag: string | undefined): Promise<PolicycConfig | undefined> {
  const { findConfigFile, loadConfig } = await import('../config/config.js');
  const path = flag ?? (await findConfigFile(process.cwd()));
  if (path === undefined) return undefined;
  const { readSource } = await import('../pipeline.js');
  const loaded = await loadConfig(path, readSource);
  if (loaded.diagnostics.length > 0) await printDiagnostics('pretty', loaded.diagnostics, loaded.sources, process.stderr, packageVersion());
  if (!loaded.config || hasErrors(loaded.diagnostics)) throw new InputError(`the configuration ${path} has errors; fix them or name another with --config FILE`);
  return loaded.config;
}
