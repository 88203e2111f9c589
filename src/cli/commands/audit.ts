// `policyc audit verify|tail|query`: reading the gateway's audit log. `verify` recomputes the hash
// chain and names the first bad line (exit 1); `tail` and `query` print records for people
// (`--format pretty`) or programs (`--format json`: the records as JSON Lines).

import { open, stat } from 'node:fs/promises';
import { watch } from 'node:fs';
import type { Command } from 'commander';

import { InputError, PolicyFailure } from '../../errors.js';
import type * as AuditReader from '../../gateway/audit-read.js';
import type { AuditRecord } from '../../gateway/audit.js';
import { ExitCode } from '../exit.js';
import { parseCount } from './options.js';
import { DEFAULT_AUDIT_PATH } from './serve.js';

type Gateway = typeof AuditReader;

interface ReadOptions {
  format: string;
}

interface TailOptions extends ReadOptions {
  lines: string;
  follow?: boolean;
}

interface QueryOptions extends ReadOptions {
  tool?: string;
  decision?: string;
  identity?: string;
  session?: string;
  since?: string;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('verify and read the gateway\'s audit log');

  audit
    .command('verify')
    .description('check the hash chain: find any record edited, dropped or reordered (exit 1)')
    .argument('[files...]', `audit logs, oldest first (default ${DEFAULT_AUDIT_PATH})`)
    .action(async (files: string[]) => {
      process.exitCode = await verify(files.length > 0 ? files : [DEFAULT_AUDIT_PATH]);
    });

  audit
    .command('tail')
    .description('print the last records')
    .argument('[file]', 'the audit log', DEFAULT_AUDIT_PATH)
    .option('-n, --lines <n>', 'how many records', '20')
    .option('-f, --follow', 'keep printing records as they are written')
    .option('--format <format>', 'pretty or json', 'pretty')
    .action(async (file: string, options: TailOptions) => {
      process.exitCode = await tail(file, options);
    });

  audit
    .command('query')
    .description('print the records that match every filter given')
    .argument('[file]', 'the audit log', DEFAULT_AUDIT_PATH)
    .option('--tool <name>', 'calls of this tool (exact name)')
    .option('--decision <decision>', 'allow or deny')
    .option('--identity <name>', 'calls by this identity')
    .option('--session <id>', 'calls in this session')
    .option('--since <time>', 'records at or after this time: an ISO date/time, or a duration ago (30s, 15m, 2h, 7d)')
    .option('--format <format>', 'pretty or json', 'pretty')
    .action(async (file: string, options: QueryOptions) => {
      process.exitCode = await query(file, options);
    });
}

/** The name the lead's command index expects. */
export const register = registerAudit;

/** Only the reader: no SDK, no compiler, so reading a log starts fast. */
async function loadGateway(): Promise<Gateway> {
  return import('../../gateway/audit-read.js');
}

async function mustExist(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputError(`${file} is not a file`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read the audit log ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

async function verify(files: string[]): Promise<ExitCode> {
  for (const file of files) await mustExist(file);
  const { verifyAuditFiles } = await loadGateway();
  const result = await verifyAuditFiles(files);
  if (result.problem) {
    const { file, line, message } = result.problem;
    process.stderr.write(`${file}:${line}: ${message}\n`);
    throw new PolicyFailure(`the audit log does not verify (${result.records} record${result.records === 1 ? '' : 's'} before line ${line} are intact)`);
  }
  const last = result.last ? `; last record seq ${result.last.seq}, hash ${result.last.hash}` : '';
  if (result.incomplete) {
    const { file, line, bytes } = result.incomplete;
    process.stderr.write(
      `${file}:${line}: note: the last line is an incomplete record (${bytes} bytes without a newline): the gateway stopped while writing it and did not forward its call; the next \`policyc serve\` moves it to ${file}.incomplete\n`,
    );
  }
  process.stdout.write(`${files.join(', ')}: ${result.records} record${result.records === 1 ? '' : 's'}, chain intact${last}\n`);
  return ExitCode.ok;
}

function formatOf(value: string): 'pretty' | 'json' {
  if (value !== 'pretty' && value !== 'json') throw new InputError(`--format must be pretty or json (got "${value}")`);
  return value;
}

function printer(format: 'pretty' | 'json', gateway: Gateway): (record: AuditRecord) => void {
  return (record) => {
    process.stdout.write(`${format === 'json' ? JSON.stringify(record) : gateway.formatRecord(record)}\n`);
  };
}

async function tail(file: string, options: TailOptions): Promise<ExitCode> {
  const format = formatOf(options.format);
  const count = parseCount(options.lines, '--lines');
  await mustExist(file);
  const gateway = await loadGateway();
  const print = printer(format, gateway);
  const last: AuditRecord[] = [];
  let bad = 0;
  for await (const line of gateway.readLines(file)) {
    const record = gateway.parseRecord(line);
    if (!record) {
      bad++;
      continue;
    }
    last.push(record);
    if (last.length > count) last.shift();
  }
  last.forEach(print);
  if (bad > 0) process.stderr.write(`policyc: ${bad} line${bad === 1 ? ' is' : 's are'} not audit records; run \`policyc audit verify ${file}\`\n`);
  if (options.follow) await follow(file, (line) => {
    const record = gateway.parseRecord(line);
    if (record) print(record);
  });
  return ExitCode.ok;
}

/** Prints lines appended to the file from now on, until interrupted. */
async function follow(file: string, onLine: (line: string) => void): Promise<void> {
  let offset = (await stat(file)).size;
  let partial = '';
  let reading = false;
  let again = false;
  const readMore = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const size = (await stat(file)).size;
        if (size < offset) {
          offset = 0;
          partial = '';
        }
        if (size === offset) continue;
        const handle = await open(file, 'r');
        try {
          const buffer = Buffer.alloc(size - offset);
          await handle.read(buffer, 0, buffer.length, offset);
          offset = size;
          const lines = (partial + buffer.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          lines.filter((line) => line !== '').forEach(onLine);
        } finally {
          await handle.close();
        }
      } while (again);
    } catch {
      // The file may be replaced for a moment; the next change reads on.
    } finally {
      reading = false;
    }
  };
  await new Promise<void>((done) => {
    const watcher = watch(file, () => void readMore());
    const poll = setInterval(() => void readMore(), 1000);
    process.once('SIGINT', () => {
      watcher.close();
      clearInterval(poll);
      done();
    });
  });
}

async function query(file: string, options: QueryOptions): Promise<ExitCode> {
  const format = formatOf(options.format);
  if (options.decision !== undefined && options.decision !== 'allow' && options.decision !== 'deny') {
    throw new InputError(`--decision must be allow or deny (got "${options.decision}")`);
  }
  const since = options.since === undefined ? undefined : parseSince(options.since, new Date());
  await mustExist(file);
  const gateway = await loadGateway();
  const print = printer(format, gateway);
  const filter = {
    ...(options.tool === undefined ? {} : { tool: options.tool }),
    ...(options.decision === undefined ? {} : { decision: options.decision }),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    ...(options.session === undefined ? {} : { session: options.session }),
    ...(since === undefined ? {} : { since }),
  };
  let bad = 0;
  for await (const line of gateway.readLines(file)) {
    const record = gateway.parseRecord(line);
    if (!record) bad++;
    else if (gateway.matches(record, filter)) print(record);
  }
  if (bad > 0) process.stderr.write(`policyc: ${bad} line${bad === 1 ? ' is' : 's are'} not audit records; run \`policyc audit verify ${file}\`\n`);
  return ExitCode.ok;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO date or date-time, or a duration before `now` such as `15m`. */
export function parseSince(text: string, now: Date): Date {
  const duration = /^(\d+)([smhd])$/.exec(text);
  if (duration) return new Date(now.getTime() - Number(duration[1]) * (UNIT_MS[duration[2] as string] as number));
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const time = Date.parse(text);
    if (Number.isFinite(time)) return new Date(time);
  }
  throw new InputError(`--since must be an ISO date/time (2025-06-13T09:30:00Z) or a duration ago (30s, 15m, 2h, 7d); got "${text}"`);
}
