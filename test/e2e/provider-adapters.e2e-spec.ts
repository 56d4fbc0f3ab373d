import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { AnthropicAdapter } from '../../src/providers/adapters/anthropic.adapter.js';
import { GoogleAdapter } from '../../src/providers/adapters/google.adapter.js';
import { MistralAdapter } from '../../src/providers/adapters/mistral.adapter.js';
import { OpenAIAdapter } from '../../src/providers/adapters/openai.adapter.js';
import { createHttpFetch } from '../../src/providers/http-fetch.js';
import { ProviderError, ProviderErrorCode } from '../../src/providers/provider-error.js';
import type { ChatProvider, ChatTurnRequest, ProviderEvent } from '../../src/providers/provider.types.js';
import { DEFAULT_TOKENS, fakeEmbedding, type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { forceGc } from '../support/force-gc.js';

// Each adapter, through its official SDK, against the fake vendor's real wire format.
let vendor: FakeVendor;
before(async () => {
  vendor = await startFakeVendor();
});
after(() => vendor.close());

// With the fetch ProvidersService gives every SDK (node:http); `openai-global-fetch` keeps the
// SDK's own default (the web body path of the stream decoder).
const httpFetch = createHttpFetch();
const adapters: Record<string, (timeoutMs?: number) => ChatProvider> = {
  openai: (timeoutMs = 10_000) => new OpenAIAdapter('openai', { id: 'openai', apiKey: 'sk-openai', baseUrl: vendor.openaiBaseUrl, timeoutMs, fetch: httpFetch }),
  'openai-global-fetch': (timeoutMs = 10_000) => new OpenAIAdapter('openai', { id: 'openai', apiKey: 'sk-openai', baseUrl: vendor.openaiBaseUrl, timeoutMs }),
  compatible: (timeoutMs = 10_000) =>
    new OpenAIAdapter('openai-compatible', { id: 'local', apiKey: 'sk-local', baseUrl: vendor.openaiBaseUrl, timeoutMs, fetch: httpFetch }),
  anthropic: (timeoutMs = 10_000) => new AnthropicAdapter({ id: 'anthropic', apiKey: 'sk-ant', baseUrl: vendor.anthropicBaseUrl, timeoutMs, fetch: httpFetch }),
  google: (timeoutMs = 10_000) => new GoogleAdapter({ id: 'google', apiKey: 'g-key', baseUrl: vendor.googleBaseUrl, timeoutMs, fetch: httpFetch }),
  mistral: (timeoutMs = 10_000) => new MistralAdapter({ id: 'mistral', apiKey: 'm-key', baseUrl: vendor.mistralBaseUrl, timeoutMs, fetch: httpFetch }),
};

const request = (model: string, signal = new AbortController().signal): ChatTurnRequest => ({
  model,
  system: 'Be brief.',
  messages: [{ role: 'user', parts: [{ type: 'text', text: 'Describe this' }, { type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' }] }],
  maxTokens: 256,
  tools: [{ name: 'lookup', description: 'Look something up', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
  signal,
});

async function collect(iterable: AsyncIterable<ProviderEvent>): Promise<{ events: ProviderEvent[]; error?: ProviderError }> {
  const events: ProviderEvent[] = [];
  try {
    for await (const e of iterable) events.push(e);
    return { events };
  } catch (error) {
    return { events, error: error as ProviderError };
  }
}

const texts = (events: ProviderEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.delta] : []));

for (const [name, make] of Object.entries(adapters)) {
  describe(`${name} adapter`, () => {
    it('streams reasoning, text, tool calls, usage and the finish reason', async () => {
      const model = `${name}-full`;
      vendor.script(model, {
        reasoning: ['Let me', ' think.'],
        toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"cats"}' }],
        usage: { input: 21, output: 9, reasoning: 4 },
      });
      const { events, error } = await collect(make().streamChat(request(model)));
      expect(error).toBeUndefined();
      expect(events.filter((e) => e.type === 'reasoning').map((e) => (e as { delta: string }).delta).join('')).toBe('Let me think.');
      expect(texts(events)).toEqual(DEFAULT_TOKENS);
      const calls = events.filter((e) => e.type === 'tool-call');
      expect(calls[0]).toMatchObject({ index: 0, id: 'call_1', name: 'lookup' });
      expect(calls.map((c) => (c as { argumentsDelta: string }).argumentsDelta).join('')).toBe('{"q":"cats"}');
      const usage = events.find((e) => e.type === 'usage');
      expect(usage).toMatchObject({ usage: { inputTokens: 21, outputTokens: 9 } });
      if (name === 'openai' || name === 'google') expect(usage).toMatchObject({ usage: { reasoningTokens: 4 } });
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool_calls' });

      const sent = vendor.requests.filter((r) => r.model === model).at(-1)!;
      const body = JSON.stringify(sent.body);
      expect(body).toContain('Be brief.');
      expect(body).toContain('iVBORw0KGgo=');
      if (name === 'anthropic') expect(sent.body).toMatchObject({ system: 'Be brief.', max_tokens: 256 });
      if (name === 'openai') expect(sent.body).toMatchObject({ max_completion_tokens: 256, stream_options: { include_usage: true } });
      if (name === 'google') expect(sent.body.systemInstruction).toBeDefined();
    });

    it('ends without a usage event when the vendor sends none', async () => {
      const model = `${name}-no-usage`;
      vendor.script(model, { usage: null });
      const { events, error } = await collect(make().streamChat(request(model)));
      expect(error).toBeUndefined();
      expect(events.some((e) => e.type === 'usage')).toBe(false);
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    });

    it('surfaces a model the vendor does not have as a ProviderError', async () => {
      const { events, error } = await collect(make().streamChat(request('unknown-model-x')));
      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: ProviderErrorCode.ModelNotFound, status: 404, retryable: false });
      expect(error!.message).toContain('unknown-model-x');
    });

    it('reports a 429 with its retry-after', async () => {
      const model = `${name}-429`;
      vendor.script(model, { failTimes: 1, error: { status: 429, retryAfter: '7' } });
      const { error } = await collect(make().streamChat(request(model)));
      expect(error).toMatchObject({ code: ProviderErrorCode.RateLimited, status: 429, retryable: true });
      expect(error!.retryAfterMs).toBe(7000);
    });

    it('ends with an error after the partial events when the vendor fails mid-stream', async () => {
      const model = `${name}-mid-error`;
      vendor.script(model, { errorAfterTokens: 2 });
      const { events, error } = await collect(make().streamChat(request(model)));
      expect(texts(events)).toEqual(DEFAULT_TOKENS.slice(0, 2));
      expect(error).toBeInstanceOf(ProviderError);
      expect(error!.code).not.toBe(ProviderErrorCode.Aborted);
      // The vendor's own words (as the fake vendor's dialect puts them), whatever the SDK wraps
      // them in; Mistral's SDK drops them (it throws its schema check's error without the event).
      const said = { anthropic: 'Overloaded', google: 'Internal error encountered', mistral: 'not a completion chunk' }[name] ?? 'The server had an error';
      expect(error!.message).toContain(said);
      expect(error!.message.length).toBeLessThan(200);
      if (name === 'mistral') expect(error).toMatchObject({ code: ProviderErrorCode.Upstream, retryable: true });
    });

    it('ends with a connection error when the connection is cut', async () => {
      const model = `${name}-cut`;
      vendor.script(model, { cutAfterTokens: 3, delayMs: 5 });
      const { events, error } = await collect(make().streamChat(request(model)));
      expect(texts(events)).toEqual(DEFAULT_TOKENS.slice(0, 3));
      expect(error).toBeInstanceOf(ProviderError);
      expect(error!.code).not.toBe(ProviderErrorCode.Aborted);
    });

    // A collection between start and abort: what links our signal to the socket must not be
    // only weakly held (Node's Request follows a signal through a weak reference).
    it('aborts the upstream request when the signal fires, after a garbage collection', async () => {
      const model = `${name}-abort`;
      vendor.script(model, { pauseAfter: 2 });
      const before = vendor.aborted;
      const controller = new AbortController();
      const received: ProviderEvent[] = [];
      let error: ProviderError | undefined;
      let abortedAt = 0;
      // An abort that never reaches the vendor would leave the stream paused for good.
      const unpause = setTimeout(() => vendor.release(), 2_000);
      try {
        for await (const e of make().streamChat(request(model, controller.signal))) {
          received.push(e);
          if (texts(received).length === 2) {
            forceGc();
            await new Promise((r) => setTimeout(r, 20));
            forceGc();
            abortedAt = Date.now();
            controller.abort();
          }
        }
      } catch (err) {
        error = err as ProviderError;
      } finally {
        clearTimeout(unpause);
      }
      expect(error).toMatchObject({ code: ProviderErrorCode.Aborted });
      for (let i = 0; i < 100 && vendor.aborted === before; i++) await new Promise((r) => setTimeout(r, 10));
      expect(vendor.aborted).toBe(before + 1);
      expect(Date.now() - abortedAt).toBeLessThan(1_500);
    });
  });
}

// Tool choice and stop sequences in each vendor's own terms.
const choiceOnTheWire: Record<string, { required: (body: any) => unknown; named: (body: any) => unknown; stop: (body: any) => unknown }> = {
  openai: { required: (b) => b.tool_choice, named: (b) => b.tool_choice, stop: (b) => b.stop },
  'openai-global-fetch': { required: (b) => b.tool_choice, named: (b) => b.tool_choice, stop: (b) => b.stop },
  compatible: { required: (b) => b.tool_choice, named: (b) => b.tool_choice, stop: (b) => b.stop },
  anthropic: { required: (b) => b.tool_choice, named: (b) => b.tool_choice, stop: (b) => b.stop_sequences },
  google: { required: (b) => b.toolConfig, named: (b) => b.toolConfig, stop: (b) => b.generationConfig?.stopSequences },
  mistral: { required: (b) => b.tool_choice, named: (b) => b.tool_choice, stop: (b) => b.stop },
};
const expectedChoice: Record<string, { required: unknown; named: unknown }> = {
  openai: { required: 'required', named: { type: 'function', function: { name: 'lookup' } } },
  'openai-global-fetch': { required: 'required', named: { type: 'function', function: { name: 'lookup' } } },
  compatible: { required: 'required', named: { type: 'function', function: { name: 'lookup' } } },
  anthropic: { required: { type: 'any' }, named: { type: 'tool', name: 'lookup' } },
  google: {
    required: { functionCallingConfig: { mode: 'ANY' } },
    named: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookup'] } },
  },
  mistral: { required: 'any', named: { type: 'function', function: { name: 'lookup' } } },
};

for (const [name, make] of Object.entries(adapters)) {
  describe(`${name} adapter: tool choice and stop`, () => {
    it('sends tool choice and stop sequences as the vendor names them', async () => {
      const model = `${name}-choice`;
      const last = () => vendor.requests.filter((r) => r.model === model).at(-1)!.body;
      await collect(make().streamChat({ ...request(model), toolChoice: 'required', stop: ['END', 'STOP'] }));
      expect(choiceOnTheWire[name].required(last())).toEqual(expectedChoice[name].required);
      expect(choiceOnTheWire[name].stop(last())).toEqual(['END', 'STOP']);
      await collect(make().streamChat({ ...request(model), toolChoice: { name: 'lookup' } }));
      expect(choiceOnTheWire[name].named(last())).toEqual(expectedChoice[name].named);
      // Without tools no choice is sent (vendors refuse one).
      await collect(make().streamChat({ ...request(model), tools: undefined, toolChoice: 'auto' }));
      expect(choiceOnTheWire[name].named(last())).toBeUndefined();
    });
  });
}

// OpenAI and Mistral take a text-only message as one string: each part on its own line.
for (const name of ['openai', 'compatible', 'mistral']) {
  it(`${name} adapter: a text-only message's parts reach the vendor on their own lines`, async () => {
    const model = `${name}-parts`;
    const parts = [
      { type: 'text' as const, text: 'Summarize' },
      { type: 'file' as const, uploadId: 'u1', name: 'notes.pdf', mimeType: 'application/pdf' },
      { type: 'text' as const, text: 'briefly.' },
    ];
    await collect(adapters[name]().streamChat({ ...request(model), messages: [{ role: 'user', parts }] }));
    const sent = vendor.requests.filter((r) => r.model === model).at(-1)!.body as { messages: { role: string; content: unknown }[] };
    expect(sent.messages.find((m) => m.role === 'user')?.content).toBe('Summarize\n[Attached file: notes.pdf]\nbriefly.');
  });
}

// PROVIDER_TIMEOUT_MS bounds the wait for the vendor's response headers, whatever the SDK.
describe('a vendor that never answers', () => {
  for (const [name, make] of Object.entries(adapters)) {
    it(`${name}: fails with a retryable TIMEOUT and hangs up`, { timeout: 5_000 }, async () => {
      const model = `${name}-hang`;
      vendor.script(model, { hang: true });
      const before = vendor.aborted;
      const started = Date.now();
      const { events, error } = await collect(make(300).streamChat(request(model)));
      expect(events).toEqual([]);
      expect(error).toMatchObject({ code: ProviderErrorCode.Timeout, retryable: true });
      expect(Date.now() - started).toBeLessThan(2_000);
      for (let i = 0; i < 100 && vendor.aborted === before; i++) await new Promise((r) => setTimeout(r, 10));
      expect(vendor.aborted).toBe(before + 1);
    });
  }
});

describe('embeddings', () => {
  for (const name of ['openai', 'compatible', 'mistral', 'google']) {
    it(`${name}: one vector per input, in order, with the requested dimensions`, async () => {
      const result = await make(name).embed!({ model: `${name}-embed`, inputs: ['alpha beta', 'gamma'], dimensions: 4, signal: new AbortController().signal });
      expect(result.vectors).toEqual([fakeEmbedding('alpha beta', 4), fakeEmbedding('gamma', 4)]);
      expect(result.inputTokens).toBeGreaterThan(0);
    });
  }

  it('anthropic has no embeddings API', () => {
    expect('embed' in adapters.anthropic()).toBe(false);
  });
});

function make(name: string): ChatProvider {
  return adapters[name]();
}
