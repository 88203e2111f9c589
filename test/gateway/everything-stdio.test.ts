// The gateway over stdio in front of @modelcontextprotocol/server-everything: everything the
// policy does not touch must work exactly as it does without the gateway — resources, prompts,
// completions, logging, progress, cancellation, sampling, elicitation, roots, list_changed.

import { join } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  ToolListChangedNotificationSchema,
  type ClientCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { auditRecords, callTool, cleanup, EVERYTHING, eventually, GATEWAY_FIXTURES, ROOT, stdioGateway, tempDir, textOf, type StdioGateway } from './helpers/harness.js';

const POLICY = join(GATEWAY_FIXTURES, 'everything.policy');
const CAPABILITIES: ClientCapabilities = { sampling: {}, elicitation: {}, roots: { listChanged: true } };

/** Answers the server's requests the same way whether or not the gateway is in between. */
function answerServerRequests(client: Client, seen: string[]): void {
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    seen.push('sampling/createMessage');
    const prompt = request.params.messages[0]?.content;
    return { role: 'assistant', model: 'test-model', content: { type: 'text', text: `sampled: ${prompt && 'text' in prompt ? prompt.text : ''}` } };
  });
  client.setRequestHandler(ElicitRequestSchema, async () => {
    seen.push('elicitation/create');
    return { action: 'accept', content: { name: 'Ada Lovelace', check: true } };
  });
  client.setRequestHandler(ListRootsRequestSchema, async () => {
    seen.push('roots/list');
    return { roots: [{ uri: 'file:///work/project', name: 'project' }] };
  });
}

async function directClient(seen: string[]): Promise<Client> {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' }, { capabilities: CAPABILITIES });
  answerServerRequests(client, seen);
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'ignore', cwd: ROOT }));
  return client;
}

/** The conditional tools arrive with a list_changed after initialization. */
async function waitForTool(client: Client, name: string): Promise<void> {
  await eventually(async () => (await client.listTools()).tools.some((tool) => tool.name === name), 10_000, `tool ${name}`);
}

describe('policyc serve in front of server-everything', () => {
  let folder: string;
  let gateway: StdioGateway;
  let direct: Client;
  const seenThroughGateway: string[] = [];
  const seenDirectly: string[] = [];
  let listChanged = 0;

  beforeAll(async () => {
    folder = await tempDir();
    gateway = await stdioGateway({
      policy: POLICY,
      audit: join(folder, 'audit.jsonl'),
      upstream: [process.execPath, EVERYTHING, 'stdio'],
      capabilities: CAPABILITIES,
    });
    answerServerRequests(gateway.client, seenThroughGateway);
    gateway.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      listChanged++;
    });
    direct = await directClient(seenDirectly);
    await waitForTool(gateway.client, 'trigger-sampling-request');
    await waitForTool(direct, 'trigger-sampling-request');
  });
  afterAll(async () => {
    await direct.close();
    await cleanup();
  });

  it('lists the same tools as the server, less the hidden one, after its list_changed', async () => {
    expect(listChanged).toBeGreaterThan(0);
    const through = (await gateway.client.listTools()).tools;
    const straight = (await direct.listTools()).tools;
    expect(straight.map((tool) => tool.name)).toContain('get-env');
    expect(through).toEqual(straight.filter((tool) => tool.name !== 'get-env'));
  });

  it('gives the same answers for resources, templates, prompts and completions', async () => {
    const both = async <T>(ask: (client: Client) => Promise<T>): Promise<T> => {
      const [through, straight] = await Promise.all([ask(gateway.client), ask(direct)]);
      expect(through).toEqual(straight);
      return through;
    };
    const resources = await both((client) => client.listResources());
    expect(resources.resources.length).toBeGreaterThan(0);
    const first = resources.resources[0]?.uri as string;
    await both((client) => client.readResource({ uri: first }));
    await both((client) => client.listResourceTemplates());
    const prompts = await both((client) => client.listPrompts());
    expect(prompts.prompts.map((prompt) => prompt.name)).toEqual(expect.arrayContaining(['simple-prompt', 'args-prompt', 'completable-prompt']));
    await both((client) => client.getPrompt({ name: 'args-prompt', arguments: { city: 'Hong Kong', state: 'HK' } }));
    const completion = await both((client) =>
      client.complete({ ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'S' } }),
    );
    expect(completion.completion.values).toEqual(['Sales', 'Support']);
    await both((client) => client.setLoggingLevel('error'));
    await both((client) => client.subscribeResource({ uri: first }));
    await both((client) => client.ping());
  });

  it('gives the same tool results for allowed tools', async () => {
    for (const [name, args] of [
      ['echo', { message: 'through the gateway' }],
      ['get-sum', { a: 2, b: 40 }],
      ['get-tiny-image', {}],
      ['get-structured-content', { location: 'New York' }],
    ] as const) {
      const [through, straight] = await Promise.all([callTool(gateway.client, name, args), callTool(direct, name, args)]);
      expect(through, name).toEqual(straight);
    }
  });

  it('denies the hidden and the denied tool, which work directly', async () => {
    const env = await callTool(gateway.client, 'get-env');
    expect(env).toEqual({ content: [{ type: 'text', text: `Denied by policyc: "get-env" is not available to this caller (hidden by ${POLICY}:5).` }], isError: true });
    expect((await callTool(direct, 'get-env')).isError).toBeFalsy();
    const logging = await callTool(gateway.client, 'toggle-simulated-logging');
    expect(textOf(logging)).toBe(`Denied by policyc: rule r5 at ${POLICY}:12 denies "toggle-simulated-logging": no log spam`);
  });

  it('relays progress notifications to the caller that asked for them', async () => {
    const progress: number[] = [];
    const result = await gateway.client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.4, steps: 4 } }, CallToolResultSchema, {
      onprogress: (update) => progress.push(update.progress),
    });
    // The SDK client handles a notification a microtask later than a response that arrives in the
    // same read, so the last progress may be dropped by the client when the two come together.
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([1, 2, 3, 4].slice(0, progress.length));
    expect(textOf(result as never)).toBe('Long running operation completed. Duration: 0.4 seconds, Steps: 4.');
  });

  it('relays a cancellation, and the session goes on', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const pending = gateway.client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 5, steps: 50 } }, CallToolResultSchema, {
      signal: controller.signal,
      onprogress: (update) => progress.push(update.progress),
    });
    await eventually(() => progress.length >= 2, 5_000, 'progress before cancelling');
    controller.abort('changed my mind');
    await expect(pending).rejects.toThrow();
    const seen = progress.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The server stopped sending progress for it (or the gateway dropped it): nothing more arrived.
    expect(progress.length).toBeLessThanOrEqual(seen + 1);
    expect(textOf(await callTool(gateway.client, 'echo', { message: 'still here' }))).toBe('Echo: still here');
  });

  it('relays sampling and elicitation requests from the server, and the answers back', async () => {
    const sampled = await callTool(gateway.client, 'trigger-sampling-request', { prompt: 'Say hi', maxTokens: 10 });
    expect(textOf(sampled)).toContain('sampled: Resource trigger-sampling-request context: Say hi');
    expect(seenThroughGateway).toContain('sampling/createMessage');
    const elicited = await callTool(gateway.client, 'trigger-elicitation-request');
    expect(textOf(elicited)).toContain('Ada Lovelace');
    expect(seenThroughGateway).toContain('elicitation/create');
  });

  it('relays roots requests from the server', async () => {
    const roots = await callTool(gateway.client, 'get-roots-list');
    expect(textOf(roots)).toContain('1. project\n   URI: file:///work/project');
    expect(seenThroughGateway).toContain('roots/list');
  });

  it('counts `limit 3 per 1m by session` for get-sum', async () => {
    // One get-sum went through in the comparison above.
    for (let i = 0; i < 2; i++) expect((await callTool(gateway.client, 'get-sum', { a: i, b: 1 })).isError).toBeFalsy();
    const fourth = await callTool(gateway.client, 'get-sum', { a: 9, b: 9 });
    expect(textOf(fourth)).toMatch(new RegExp(`^Denied by policyc: the limit of 3 calls per 1m \\(rule r6 at .*everything\\.policy:15\\) is reached for this session; retry after \\d+ s\\.$`));
    const records = await auditRecords(join(folder, 'audit.jsonl'));
    expect(records.filter((record) => record.tool === 'get-sum').map((record) => record.decision)).toEqual(['allow', 'allow', 'allow', 'deny']);
  });
});
