// Loading the policy the gateway enforces, and loading it again when its file changes.
//
// A DSL or YAML policy is compiled here (the same pipeline as `policyc build`); a policy.json is
// read as it is. A policy with lint errors is not enforced: at start the gateway refuses to run,
// on reload it keeps the policy it has. Editors save by writing a new file and renaming it over
// the old one, so the folder is watched, not the file, and changes are gathered for a moment
// before the reload.

import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { preparePolicy } from '../enforce/index.js';
import { InputError } from '../errors.js';
import type { CompiledPolicy } from '../model/compiled.js';
import { compileFile, hasErrors, type CompileOptions } from '../pipeline.js';
import { canonicalJson } from './audit.js';
import type { ActivePolicy } from './gate.js';
import type { Logger } from './log.js';

export interface PolicySpec {
  path: string;
  catalogPath?: string;
  /** How the policy is read beyond its catalogue: the configuration's catalogues and lint settings. */
  options?: CompileOptions;
}

export type PolicyLoad =
  | {
      ok: true;
      active: ActivePolicy;
      policy: CompiledPolicy;
      diagnostics: Diagnostic[];
      sources: Map<string, SourceText>;
      /** The compiled policy's canonical JSON: equal when the meaning is the same. */
      meaning: string;
      /** The source map's: a comment added above a rule changes its line, not its meaning. */
      lines: string;
    }
  | {
      ok: false;
      problem: string;
      /** The file could not be read at all (missing, a folder, wrong extension): a usage error. */
      unreadable?: boolean;
      diagnostics: Diagnostic[];
      sources: Map<string, SourceText>;
    };

export async function loadPolicy(spec: PolicySpec): Promise<PolicyLoad> {
  let result: Awaited<ReturnType<typeof compileFile>>;
  try {
    result = await compileFile(spec.path, { ...spec.options, ...(spec.catalogPath === undefined ? {} : { catalogPath: spec.catalogPath }) });
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return { ok: false, problem, unreadable: error instanceof InputError, diagnostics: [], sources: new Map() };
  }
  const { policy, diagnostics, sources } = result;
  if (!policy || hasErrors(diagnostics)) {
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
    const problem = policy ? `${spec.path} has ${errors} lint error${errors === 1 ? '' : 's'}` : `${spec.path} does not compile`;
    return { ok: false, problem, diagnostics, sources };
  }
  let prepared;
  try {
    prepared = preparePolicy(policy);
  } catch (error) {
    return { ok: false, problem: `${spec.path} cannot be enforced: ${error instanceof Error ? error.message : String(error)}`, diagnostics, sources };
  }
  const active: ActivePolicy = result.sourceMap ? { prepared, sourceMap: result.sourceMap } : { prepared };
  const json = (value: unknown): string => canonicalJson(value as Parameters<typeof canonicalJson>[0]);
  return { ok: true, active, policy, diagnostics, sources, meaning: json(policy), lines: json(result.sourceMap ?? null) };
}

export interface PolicyWatcher {
  close(): void;
}

/** Calls `onChange` (debounced) whenever one of `files` is written, replaced or removed. */
export function watchFiles(files: readonly string[], onChange: () => void, log: Logger, debounceMs = 200): PolicyWatcher {
  const byFolder = new Map<string, Set<string>>();
  for (const file of files) {
    const absolute = resolve(file);
    const names = byFolder.get(dirname(absolute)) ?? new Set<string>();
    names.add(basename(absolute));
    byFolder.set(dirname(absolute), names);
  }
  let timer: NodeJS.Timeout | undefined;
  const trigger = (): void => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const watchers: FSWatcher[] = [];
  for (const [folder, names] of byFolder) {
    try {
      const watcher = watch(folder, { persistent: false }, (_event, filename) => {
        // Some platforms do not say which file changed: reload to be safe.
        if (filename === null || names.has(filename.toString())) trigger();
      });
      watcher.on('error', (error) => log.warn(`cannot watch ${folder} for policy changes: ${error.message}`));
      watchers.push(watcher);
    } catch (error) {
      log.warn(`cannot watch ${folder} for policy changes: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
