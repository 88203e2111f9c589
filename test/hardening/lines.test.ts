// Framing over stdio: one message per line, and a line may be no longer than an HTTP body
// (`--max-body`, 1 MiB by default). A longer line is refused as it streams in, answered once, and
// never held whole; the session goes on.

import { afterAll, describe, expect, it } from 'vitest';

import { killStdioTargets, peakRss, stdioTarget } from './helpers/wire.js';
import { cleanup, runCli } from '../gateway/helpers/harness.js';

afterAll(async () => {
  killStdioTargets();
  await cleanup();
});

describe('over stdio, lines longer than any message', () => {
  it('refuses a 100 MB line without holding it, answers once, and goes on serving', async () => {
    const target = await stdioTarget();
    await target.initialize();
    const before = await target.exchange('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_current_time","arguments":{}}}', 1);
    expect(before.calls).toHaveLength(1);

    // A tools/call whose arguments go on for 100 MB, written as fast as the pipe takes it. The
    // gateway answers as soon as the line passes the cap, long before it ends.
    const start = target.messages.length;
    await target.write('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"unlock_trade","arguments":{"pad":"');
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < 100; i++) await target.write(chunk);
    const exchange = await target.exchange('"}}}');
    expect(target.messages.slice(start).filter((message) => !String(message.id).startsWith('barrier'))).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid message: message longer than 1048576 bytes' } },
    ]);
    expect(exchange.upstream).toEqual([]);
    expect(exchange.calls).toEqual([]);

    const after = await target.exchange('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_current_time","arguments":{}}}', 3);
    expect(after.answers[0]).toMatchObject({ id: 3, result: { content: [{ type: 'text' }] } });
    // Holding the line would have taken 100 MB or more.
    const peak = await peakRss(target.child.pid as number);
    if (peak !== undefined) expect(peak).toBeLessThan(160 * 1024 * 1024);
    expect(await target.end()).toBe(0);
  });

  it('takes a message right at the cap and refuses one a byte over it', async () => {
    const target = await stdioTarget({ args: ['--max-body', '4096'] });
    await target.initialize();
    const frame = (size: number): string => {
      const start = '{"jsonrpc":"2.0","id":"pad","method":"tools/call","params":{"name":"get_current_time","arguments":{"pad":"';
      const end = '"}}}';
      return `${start}${'x'.repeat(size - start.length - end.length)}${end}`;
    };
    const fits = await target.exchange(frame(4096), 'pad');
    expect(fits.calls).toHaveLength(1);
    const over = await target.exchange(frame(4097));
    expect(over.answers).toEqual([{ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid message: message longer than 4096 bytes' } }]);
    expect(over.calls).toEqual([]);
    expect(await target.end()).toBe(0);
  });
});

describe('--audit-sync', () => {
  it('is the flag in --help; --audit-fsync, its first name, still works and is not advertised', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.stdout).toContain('--audit-sync');
    expect(help.stdout).not.toContain('--audit-fsync');
    const target = await stdioTarget({ args: ['--audit-fsync'] });
    await target.initialize();
    const exchange = await target.exchange('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_current_time","arguments":{}}}', 1);
    expect(exchange.calls).toHaveLength(1);
    expect(await target.end()).toBe(0);
  });
});
