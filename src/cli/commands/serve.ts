// `policyc serve --policy P -- CMD ARGS…` or `policyc serve --policy P --upstream URL`: the
// enforcing MCP gateway (SPEC §6). Over stdio by default, so an MCP client launches it in place
// of the server; over Streamable HTTP with `--listen HOST:PORT` and `--tokens FILE`.

import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Option, type Command } from 'commander';

import { InputError, PolicyFailure } from '../../errors.js';
import type * as GatewayModule from '../../gateway/index.js';
import { ExitCode } from '../exit.js';
import { renderDiagnostics } from '../report.js';
import { commandSettings } from '../settings.js';
import { packageVersion } from '../version.js';
import { parseCount } from './options.js';

export const DEFAULT_AUDIT_PATH = '.policyc/audit.jsonl';

interface ServeCliOptions {
  policy: string;
  catalog?: string;
  upstream?: string;
  upstreamHeader: string[];
  listen?: string;
  allowRemote?: boolean;
  tokens?: string;
  allowedHost: string[];
  allowedOrigin: string[];
  maxBody?: string;
  maxSessions?: string;
  sessionIdle?: string;
  identity?: string;
  audit: string;
  auditArgs?: boolean;
  auditSync?: boolean;
  auditFsync?: boolean;
  requestTimeout?: string;
  state?: string;
  redis?: string;
  watch: boolean;
  verbose?: boolean;
  config?: string;
  strict?: boolean;
}

/** An option that may be given several times, collecting its values. */
function repeatable(flags: string, description: string): Option {
  return new Option(flags, description).argParser((value: string, previous: string[]) => [...previous, value]).default([], 'none');
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the enforcing MCP gateway in front of an MCP server (stdio command or HTTP URL)')
    .usage('--policy FILE [options] -- COMMAND [ARGS…]   |   --policy FILE --upstream URL [options]')
    .argument('[command...]', 'the upstream MCP server to start, after `--`')
    .requiredOption('-p, --policy <file>', 'the policy to enforce (.policy, .yaml or policy.json)')
    .option('--catalog <file>', 'check the policy against this catalogue instead of the one it names')
    .option('--config <file>', 'the policyc configuration (default: the nearest policyc.config.yaml)')
    .option('--strict', 'refuse to start (or reload) a policy with lint warnings, as with errors')
    .option('--upstream <url>', 'an upstream MCP server over Streamable HTTP, instead of a command')
    .addOption(repeatable('--upstream-header <header>', 'a header for every request to the HTTP upstream, "Name: value" (repeatable)'))
    .option('--listen <host:port>', 'serve over Streamable HTTP on this address instead of stdio (e.g. 127.0.0.1:8377)')
    .option('--allow-remote', 'allow --listen on an address other than loopback')
    .option('--tokens <file>', 'with --listen: identity → sha256 of its bearer token (see `policyc token create`)')
    .addOption(repeatable('--allowed-host <host>', 'with --listen: another Host header to accept, e.g. behind a proxy (repeatable)'))
    .addOption(repeatable('--allowed-origin <origin>', 'with --listen: a browser Origin allowed to call (repeatable)'))
    .option('--max-body <bytes>', 'the largest message a client may send: an HTTP request body, or one line over stdio', String(1024 * 1024))
    .option('--max-sessions <n>', 'with --listen: the most sessions at once', '100')
    .option('--session-idle <seconds>', 'with --listen: close a session idle this long', '1800')
    .option('-i, --identity <name>', 'over stdio: the caller\'s identity (an identity block of the policy)', 'anonymous')
    .option('--audit <file>', 'the audit log (JSON Lines)', DEFAULT_AUDIT_PATH)
    .option('--audit-args', 'keep the raw arguments of each call in the audit log (default: only their hash)')
    .option('--audit-sync', 'flush each audit record to the disk before the call goes on (survives a power cut; slower, see docs/gateway.md)')
    // The flag's first name; kept so existing configurations keep working.
    .addOption(new Option('--audit-fsync').hideHelp())
    .option('--request-timeout <seconds>', 'fail a request the upstream has not answered in this long', '600')
    .option('--state <file>', 'keep rate-limit counters in this SQLite file: they survive a restart, and gateways on this machine sharing it count together')
    .option('--redis <url>', 'keep rate-limit counters in Redis (redis://[:password@]host:port/db): gateway replicas sharing it count together')
    .option('--no-watch', 'do not reload the policy when its file changes')
    .option('-v, --verbose', 'log every denial and protocol detail to stderr')
    .action(async (command: string[], options: ServeCliOptions, self: Command) => {
      const identityGiven = self.getOptionValueSource('identity') === 'cli';
      process.exitCode = await runServe(command, options, identityGiven);
    });
}

/** The name the lead's command index expects. */
export const register = registerServe;

/**
 * How far V8 lets the old generation grow past what survived the last full collection. Its own
 * default for a machine with this much memory is 300 %: with the gateway's ~20 MiB live, 80 MiB
 * of garbage before each full collection, and RSS over 150 MB under load (bench/README.md).
 * At 50 % a loaded gateway collects every second or two, most of the work on V8's concurrent
 * marker, for no measurable CPU per call.
 */
const HEAP_GROWING_PERCENT = 50;

/**
 * Bounds the heap's growth for this long-running process, unless the operator started node with a
 * bound of their own (NODE_OPTIONS may not carry this flag). True if it did.
 */
function boundHeapGrowth(): boolean {
  const given = process.execArgv.some((flag) => /^--heap[-_]growing[-_]percent\b/.test(flag));
  if (given) return false;
  // Read by V8 each time it sets the next collection's limit, so setting it now takes effect.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}

async function runServe(command: string[], options: ServeCliOptions, identityGiven: boolean): Promise<ExitCode> {
  // Flags first: a usage error should not wait for the gateway (SDK, compiler) to load.
  const upstream = upstreamOf(command, options);
  const listen = options.listen === undefined ? undefined : await listenOf(options, identityGiven);
  const state = stateOf(options);
  const { compile } = await commandSettings(options);
  const gateway = await import('../../gateway/index.js');
  const log = gateway.stderrLogger({ verbose: options.verbose === true });
  if (boundHeapGrowth()) log.debug(`the heap grows by at most ${HEAP_GROWING_PERCENT} % between full collections (\`node --heap-growing-percent=N\` chooses another bound)`);

  let running: Awaited<ReturnType<typeof gateway.serve>>;
  try {
    running = await gateway.serve({
      policyPath: options.policy,
      compile,
      upstream,
      ...(listen ? { listen } : {}),
      identity: options.identity ?? 'anonymous',
      auditPath: resolve(options.audit),
      auditArgs: options.auditArgs === true,
      auditSync: options.auditSync === true || options.auditFsync === true,
      maxMessageBytes: parseCount(options.maxBody ?? '1048576', '--max-body'),
      requestTimeoutMs: seconds(options.requestTimeout ?? '600', '--request-timeout') * 1000,
      state,
      watch: options.watch,
      log,
      formatDiagnostics: (diagnostics, sources) => renderDiagnostics('pretty', diagnostics, sources, process.stderr, packageVersion()),
    });
  } catch (error) {
    if (error instanceof gateway.PolicyStartError) {
      if (error.report) process.stderr.write(error.report.endsWith('\n') ? error.report : `${error.report}\n`);
      throw new PolicyFailure(error.message);
    }
    if (error instanceof gateway.AuditLogError || error instanceof gateway.LimitStoreOpenError) throw new InputError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      throw new InputError(`cannot listen on ${options.listen ?? ''}: ${(error as Error).message}`);
    }
    throw error;
  }

  const stop = (): void => void running.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await running.done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  // Let the last answers reach the client, then end even if a handle (stdin) lingers.
  await new Promise<void>((done) => process.stdout.write('', () => done()));
  setTimeout(() => process.exit(code), 1000).unref();
  return code === 0 ? ExitCode.ok : ExitCode.policyFailure;
}

function upstreamOf(command: string[], options: ServeCliOptions): GatewayModule.UpstreamSpec {
  if (options.upstream !== undefined) {
    if (command.length > 0) throw new InputError('give the upstream either as a command after `--` or as --upstream URL, not both');
    let url: URL;
    try {
      url = new URL(options.upstream);
    } catch {
      throw new InputError(`--upstream must be a URL such as http://127.0.0.1:3001/mcp (got "${options.upstream}")`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError('--upstream must be an http:// or https:// URL');
    const headers = parseHeaders(options.upstreamHeader);
    return Object.keys(headers).length > 0 ? { kind: 'url', url, headers } : { kind: 'url', url };
  }
  if (options.upstreamHeader.length > 0) throw new InputError('--upstream-header is for an --upstream URL');
  const [first, ...rest] = command;
  if (first === undefined) {
    throw new InputError('name the upstream MCP server: policyc serve --policy P -- COMMAND [ARGS…], or --upstream URL');
  }
  return { kind: 'command', command: first, args: rest };
}

function stateOf(options: ServeCliOptions): GatewayModule.StateSpec {
  if (options.state !== undefined && options.redis !== undefined) {
    throw new InputError('give --state FILE (counters on this machine) or --redis URL (counters shared by replicas), not both');
  }
  if (options.state !== undefined) {
    if (options.state === '') throw new InputError('--state needs a file name');
    return { kind: 'sqlite', path: resolve(options.state) };
  }
  if (options.redis === undefined) return { kind: 'memory' };
  let url: URL;
  try {
    url = new URL(options.redis);
  } catch {
    throw new InputError(`--redis must be a URL such as redis://127.0.0.1:6379/0 (got "${options.redis}")`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new InputError('--redis must be a redis:// or rediss:// URL');
  return { kind: 'redis', url: options.redis };
}

function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw new InputError(`--upstream-header must look like "Name: value" (got "${line}")`);
    headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}

async function listenOf(options: ServeCliOptions, identityGiven: boolean): Promise<GatewayModule.HttpListenSpec> {
  const { isLoopback } = await import('../../gateway/http/address.js');
  const { loadTokens } = await import('../../gateway/http/tokens.js');
  const address = options.listen ?? '';
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || !Number.isInteger(port) || port > 65535) throw new InputError(`--listen must be HOST:PORT, e.g. 127.0.0.1:8377 (got "${address}")`);
  if (!isLoopback(host) && options.allowRemote !== true) {
    throw new InputError(`--listen ${address} is not a loopback address; the gateway would be reachable from other machines. Add --allow-remote if that is what you want.`);
  }
  if (options.tokens === undefined) throw new InputError('--listen needs --tokens FILE: every HTTP caller must present a bearer token (create one with `policyc token create`)');
  if (identityGiven) throw new InputError('--identity is for stdio; over HTTP each caller\'s identity comes from its token (--tokens)');
  const tokens = await loadTokens(options.tokens);
  if (tokens.entries.length === 0) throw new InputError(`${options.tokens} holds no tokens; add one with \`policyc token create --identity NAME --tokens ${options.tokens}\``);
  return {
    host,
    port,
    tokens,
    allowedHosts: options.allowedHost,
    allowedOrigins: options.allowedOrigin,
    maxBodyBytes: parseCount(options.maxBody ?? '1048576', '--max-body'),
    maxSessions: parseCount(options.maxSessions ?? '100', '--max-sessions'),
    sessionIdleMs: seconds(options.sessionIdle ?? '1800', '--session-idle') * 1000,
  };
}

function seconds(value: string, flag: string): number {
  const n = parseCount(value, flag);
  if (n === 0) throw new InputError(`${flag} must be at least 1`);
  return n;
}
