// `policyc serve`, put together: the policy (loaded, watched, swapped on change), one rate-limit
// store (memory, SQLite or Redis) and one audit log for the gateway's lifetime, and sessions — one over stdio, or one per HTTP client —
// each with its own upstream connection.

import { randomUUID } from 'node:crypto';

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { InputError } from '../errors.js';
import type { CompileOptions } from '../pipeline.js';
import { openAuditLog, type AuditLog } from './audit.js';
import { createCallGate, type PolicyStore } from './gate.js';
import { listenHttp, type HttpGateway } from './http/listener.js';
import type { TokenTable } from './http/tokens.js';
import type { Logger } from './log.js';
import { loadPolicy, watchFiles, type PolicyWatcher } from './policy-source.js';
import { openLimitStore, type LimitStore, type StateSpec } from './state/index.js';
import { createSession, type Session } from './session.js';
import type { Channel } from './transport/channel.js';
import { childProcessChannel } from './transport/child-process.js';
import { httpClientChannel } from './transport/http-client.js';
import { stdioServerChannel } from './transport/stdio-server.js';

export type UpstreamSpec =
  | { kind: 'command'; command: string; args: string[] }
  | { kind: 'url'; url: URL; headers?: Record<string, string> };

export interface HttpListenSpec {
  host: string;
  port: number;
  tokens: TokenTable;
  allowedHosts?: string[];
  allowedOrigins?: string[];
  maxBodyBytes?: number;
  maxSessions?: number;
  sessionIdleMs?: number;
}

export interface ServeOptions {
  policyPath: string;
  catalogPath?: string;
  /** How the policy is read (the configuration's catalogues, severity overrides, strict), at start and on reload. */
  compile?: CompileOptions;
  upstream: UpstreamSpec;
  /** Serve over Streamable HTTP; over stdio when absent. */
  listen?: HttpListenSpec;
  /** The caller's identity over stdio. */
  identity: string;
  auditPath: string;
  auditArgs?: boolean;
  /** Flush each audit record to the disk before the call goes on (`--audit-sync`). */
  auditSync?: boolean;
  /** Over stdio, the longest message (line) a client may send; over HTTP, `listen.maxBodyBytes`. */
  maxMessageBytes?: number;
  requestTimeoutMs?: number;
  /** Where rate-limit counters live: in the process (default), a SQLite file, or Redis. */
  state?: StateSpec;
  /** Reload the policy when its file changes (default true). */
  watch?: boolean;
  log: Logger;
  /** Renders diagnostics for the log (the CLI's pretty renderer). */
  formatDiagnostics: (diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, SourceText>) => Promise<string>;
}

export interface RunningGateway {
  /** Resolves with the exit code once the gateway has stopped (stdio: when the session ends). */
  readonly done: Promise<number>;
  /** Set when serving over HTTP. */
  readonly url?: string;
  readonly port?: number;
  /** Reloads the policy now (as a change of its file would). */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

/** The policy did not load at start; `report` says why (rendered diagnostics). */
export class PolicyStartError extends Error {
  override readonly name = 'PolicyStartError';
  constructor(
    message: string,
    readonly report: string,
  ) {
    super(message);
  }
}

export async function serve(options: ServeOptions): Promise<RunningGateway> {
  const { log } = options;
  const spec = {
    path: options.policyPath,
    ...(options.catalogPath === undefined ? {} : { catalogPath: options.catalogPath }),
    ...(options.compile === undefined ? {} : { options: options.compile }),
  };

  const first = await loadPolicy(spec);
  if (!first.ok && first.unreadable) throw new InputError(first.problem);
  if (!first.ok) {
    const report = first.diagnostics.length > 0 ? await options.formatDiagnostics(first.diagnostics, first.sources) : '';
    throw new PolicyStartError(`${first.problem}; the gateway does not start`, report);
  }
  if (first.diagnostics.length > 0) log.warn(`${options.policyPath}:\n${await options.formatDiagnostics(first.diagnostics, first.sources)}`);
  const store: PolicyStore = { active: first.active };
  let loaded = { meaning: first.meaning, lines: first.lines };

  const limits: LimitStore = await openLimitStore(options.state ?? { kind: 'memory' }, log);
  let audit: AuditLog;
  try {
    audit = await openAuditLog(options.auditPath, { includeArgs: options.auditArgs ?? false, fsync: options.auditSync ?? false });
  } catch (error) {
    await limits.close();
    throw error;
  }
  if (audit.repaired) log.warn(audit.repaired);
  if (limits.description !== 'memory') log.info(`rate-limit counters in ${limits.description}`);
  const gate = createCallGate({ policies: store, limiter: limits, audit, log });
  const requestTimeoutMs = options.requestTimeoutMs ?? 10 * 60_000;
  const liveSessions = new Set<Session>();

  const openUpstream = (): Channel =>
    options.upstream.kind === 'command'
      ? childProcessChannel({ command: options.upstream.command, args: options.upstream.args })
      : httpClientChannel({ url: options.upstream.url, ...(options.upstream.headers ? { headers: options.upstream.headers } : {}) });

  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  const newSession = (id: string, identity: string, downstream: Channel, onEnd?: (reason: string, failure: boolean) => void): Session => {
    const session = createSession({
      id,
      identity,
      downstream,
      openUpstream,
      gate,
      log,
      requestTimeoutMs,
      onclose: (reason, failure) => {
        liveSessions.delete(session);
        log.debug(`session ${id} ended: ${reason}`);
        onEnd?.(reason, failure);
      },
    });
    liveSessions.add(session);
    return session;
  };

  // ---- reload ----
  let reloading: Promise<boolean> | undefined;
  let again = false;
  const reload = async (): Promise<boolean> => {
    if (reloading) {
      again = true;
      return reloading;
    }
    reloading = (async () => {
      let swapped = false;
      do {
        again = false;
        const next = await loadPolicy(spec);
        if (isBlank(next.sources)) {
          // A policy with no statements would deny everything, or (default allow being explicit)
          // nothing; either way it is a save caught half-way or a mistake, not a new policy.
          log.error(`policy not reloaded: ${options.policyPath} is empty (no statements, only blank lines or comments); the previous policy stays in force`);
          continue;
        }
        if (!next.ok) {
          const report = next.diagnostics.length > 0 ? `\n${await options.formatDiagnostics(next.diagnostics, next.sources)}` : '';
          log.error(`policy not reloaded: ${next.problem}; the previous policy stays in force${report}`);
          continue;
        }
        const changedMeaning = next.meaning !== loaded.meaning;
        if (!changedMeaning && next.lines === loaded.lines) continue;
        // One assignment: a decision in progress keeps the policy it started with.
        store.active = next.active;
        loaded = { meaning: next.meaning, lines: next.lines };
        swapped = true;
        log.info(changedMeaning ? `policy reloaded from ${options.policyPath}` : `policy reloaded from ${options.policyPath} (source lines only)`);
        if (changedMeaning) for (const session of liveSessions) session.policyChanged();
      } while (again);
      return swapped;
    })();
    try {
      return await reloading;
    } finally {
      reloading = undefined;
    }
  };
  const watcher: PolicyWatcher | undefined =
    options.watch === false ? undefined : watchFiles([...first.sources.keys(), `${options.policyPath}.map`], () => void reload(), log);

  // ---- downstream ----
  let http: HttpGateway | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      watcher?.close();
      if (http) await http.close();
      await Promise.allSettled([...liveSessions].map((session) => session.close()));
      await audit.close();
      await limits.close();
    })();
    return closing;
  };

  if (options.listen) {
    try {
      http = await listenHttp({
        ...options.listen,
        log,
        createSession: ({ id, identity, downstream }) => newSession(id, identity, downstream),
      });
    } catch (error) {
      await close();
      throw error;
    }
    log.info(`listening on ${http.url}; upstream ${describeUpstream(options.upstream)}`);
  } else {
    const session = newSession(randomUUID(), options.identity, stdioServerChannel(process.stdin, process.stdout, options.maxMessageBytes), (_reason, failure) => {
      void close().then(() => finish(failure ? 1 : 0));
    });
    await session.start();
    log.debug(`serving over stdio as identity "${options.identity}"; upstream ${describeUpstream(options.upstream)}`);
  }

  return {
    done,
    ...(http ? { url: http.url, port: http.port } : {}),
    reload,
    async close() {
      await close();
      finish(0);
    },
  };
}

/** Sources with nothing in them but blank lines and `#` comments (both spellings comment with #). */
function isBlank(sources: ReadonlyMap<string, SourceText>): boolean {
  return sources.size > 0 && [...sources.values()].every((source) => source.text.replace(/#.*$/gm, '').trim() === '');
}

function describeUpstream(upstream: UpstreamSpec): string {
  return upstream.kind === 'command' ? `\`${[upstream.command, ...upstream.args].join(' ')}\`` : upstream.url.toString();
}
