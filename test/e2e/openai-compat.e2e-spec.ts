import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import OpenAI from 'openai';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { until } from '../support/chat.js';
import { DEFAULT_TOKENS, fakeEmbedding, type FakeVendor } from '../support/fake-vendor.js';
import { type CompatHarness, startCompatHarness } from '../support/openai-compat.js';
import type { TestApp } from '../support/test-app.js';

// The real `openai` SDK as the client: what works here works for any OpenAI client.
describe('OpenAI-compatible API: completions, models, embeddings', () => {
  let h: CompatHarness;
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let key: { id: string; key: string };
  let client: OpenAI;
  const lastRequest = (model: string) => h.lastRequest(model);

  before(async () => {
    h = await startCompatHarness();
    ({ vendor, t } = h);
    alice = await registerUser(t);
    key = await h.createKey(alice);
    client = h.client(key.key);
  });
  after(() => h.close());

  it('answers a chat completion in OpenAI’s shape and routes provider/model', async () => {
    const completion = await client.chat.completions.create({
      model: 'openai/fake-large',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi there' },
      ],
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'openai/fake-large',
      choices: [{ index: 0, message: { role: 'assistant', content: DEFAULT_TOKENS.join('') }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, completion_tokens_details: { reasoning_tokens: 0 } },
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    const upstream = lastRequest('fake-large')!;
    expect(upstream.path).toBe('/v1/chat/completions');
    expect(upstream.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi there' },
    ]);

    // A bare model id goes to DEFAULT_MODEL's provider (openai here).
    vendor.script('bare-model', { tokens: ['bare'] });
    const bare = await client.chat.completions.create({ model: 'bare-model', messages: [{ role: 'user', content: 'x' }] });
    expect(bare.model).toBe('openai/bare-model');
    expect(bare.choices[0].message.content).toBe('bare');
  });

  it('streams chunks ending with a usage chunk and [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'openai/fake-large',
      messages: [{ role: 'user', content: 'Stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(DEFAULT_TOKENS.join(''));
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });

    // On the wire: bare data lines, and [DONE] last.
    const raw = await request(t.url)
      .post('/v1/chat/completions')
      .set(bearer(key.key))
      .send({ model: 'openai/fake-large', messages: [{ role: 'user', content: 'raw' }], stream: true })
      .expect(200);
    expect(raw.headers['content-type']).toMatch(/^text\/event-stream/);
    const lines = raw.text.split('\n\n').filter(Boolean);
    expect(lines.at(-1)).toBe('data: [DONE]');
    expect(lines.every((l) => l.startsWith('data: '))).toBe(true);
    // Without include_usage there is no usage chunk.
    expect(raw.text).not.toContain('"usage"');
  });

  it('reports the usage record’s estimates when the vendor counts nothing', async () => {
    vendor.script('uncounted-model', { tokens: ['Counted', ' by', ' us'], usage: null });
    const bob = await registerUser(t);
    const bobClient = h.client((await h.createKey(bob)).key);
    const stream = await bobClient.chat.completions.create({
      model: 'openai/uncounted-model',
      messages: [{ role: 'user', content: 'How many tokens is this?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) if (chunk.usage) streamed = chunk.usage;
    const whole = await bobClient.chat.completions.create({ model: 'openai/uncounted-model', messages: [{ role: 'user', content: 'How many tokens is this?' }] });
    await until(async () => (await h.usageRows(bob.id)).length === 2);
    const rows = await h.usageRows(bob.id);
    expect(rows.every((r) => r.estimated === true && Number(r.output_tokens) > 0 && Number(r.input_tokens) > 0)).toBe(true);
    for (const usage of [streamed, whole.usage]) {
      expect(usage).toMatchObject({ prompt_tokens: Number(rows[0].input_tokens), completion_tokens: Number(rows[0].output_tokens) });
    }
  });

  it('works with the SDK’s chat.completions.stream() helper', async () => {
    const runner = client.chat.completions.stream({ model: 'openai/fake-large', messages: [{ role: 'user', content: 'helper' }] });
    const deltas: string[] = [];
    runner.on('content', (delta) => deltas.push(delta));
    const final = await runner.finalChatCompletion();
    expect(deltas.join('')).toBe(DEFAULT_TOKENS.join(''));
    expect(final.choices[0].message.content).toBe(DEFAULT_TOKENS.join(''));
    expect(final.choices[0].finish_reason).toBe('stop');
  });

  const weatherTool = {
    type: 'function' as const,
    function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  };

  it('passes tools and tool_choice through and streams tool calls the SDK assembles', async () => {
    vendor.script('tool-model', { tokens: [], toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const runner = client.chat.completions.stream({
      model: 'openai/tool-model',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.choices[0].message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    const upstream = lastRequest('tool-model')!;
    expect(upstream.body.tools).toEqual([weatherTool]);
    expect(upstream.body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });

    // Non-streamed, and the tool result sent back in the next turn.
    const completion = await client.chat.completions.create({
      model: 'openai/tool-model',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    expect(completion.choices[0].message).toMatchObject({ content: null, tool_calls: [{ id: 'call_1', function: { name: 'get_weather' } }] });
    vendor.script('tool-model', { tokens: ['Sunny'] });
    const answer = await client.chat.completions.create({
      model: 'openai/tool-model',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: completion.choices[0].message.tool_calls },
        { role: 'tool', tool_call_id: 'call_1', content: '{"sky":"clear"}' },
      ],
      tools: [weatherTool],
    });
    expect(answer.choices[0].message.content).toBe('Sunny');
    expect(lastRequest('tool-model')!.body.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"sky":"clear"}' },
    ]);
  });

  it('forwards max_completion_tokens, max_tokens, stop and temperature, and images as data URLs', async () => {
    vendor.script('params-model', { tokens: ['ok'] });
    await client.chat.completions.create({
      model: 'openai/params-model',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }],
      max_completion_tokens: 64,
      stop: ['END', 'STOP'],
      temperature: 0.3,
    });
    expect(lastRequest('params-model')!.body).toMatchObject({
      max_completion_tokens: 64,
      stop: ['END', 'STOP'],
      temperature: 0.3,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }],
    });
    await client.chat.completions.create({ model: 'openai/params-model', messages: [{ role: 'user', content: 'x' }], max_tokens: 32, stop: 'END' });
    expect(lastRequest('params-model')!.body).toMatchObject({ max_completion_tokens: 32, stop: ['END'] });
  });

  it('routes anthropic/... through the same API, mapping tool choice and stop sequences', async () => {
    vendor.script('claude-fake', { tokens: ['Bonjour', '!'] });
    const completion = await client.chat.completions.create({
      model: 'anthropic/claude-fake',
      messages: [
        { role: 'developer', content: 'Speak French.' },
        { role: 'user', content: 'Hello' },
      ],
      max_tokens: 100,
      stop: ['FIN'],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    expect(completion.model).toBe('anthropic/claude-fake');
    expect(completion.choices[0].message.content).toBe('Bonjour!');
    const upstream = lastRequest('claude-fake')!;
    expect(upstream.path).toBe('/v1/messages');
    expect(upstream.body).toMatchObject({
      system: 'Speak French.',
      max_tokens: 100,
      stop_sequences: ['FIN'],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });

    const stream = await client.chat.completions.create({ model: 'anthropic/claude-fake', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Bonjour!');
  });

  it('lists models as provider/model ids', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      expect(model).toMatchObject({ object: 'model', owned_by: model.id.split('/')[0] });
      ids.push(model.id);
    }
    expect(ids).toEqual(expect.arrayContaining(['openai/fake-large', 'openai/fake-small', 'anthropic/fake-large', 'anthropic/fake-small']));
    expect(await client.models.retrieve('anthropic/fake-small')).toEqual({ id: 'anthropic/fake-small', object: 'model', created: 0, owned_by: 'anthropic' });
    expect((await client.models.retrieve('fake-large')).id).toBe('openai/fake-large');
    await expect(client.models.retrieve('openai/nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('creates embeddings, base64 (the SDK default) and float, honouring dimensions', async () => {
    const byDefault = await client.embeddings.create({ model: 'openai/text-embedding-fake', input: ['hello world', 'bonjour'] });
    expect(byDefault).toMatchObject({ object: 'list', model: 'openai/text-embedding-fake', usage: { prompt_tokens: 3, total_tokens: 3 } });
    expect(byDefault.data.map((d) => d.index)).toEqual([0, 1]);
    expect(byDefault.data[0].embedding).toEqual(fakeEmbedding('hello world'));
    expect(byDefault.data[1].embedding).toEqual(fakeEmbedding('bonjour'));
    const upstream = lastRequest('text-embedding-fake')!;
    expect(upstream.path).toBe('/v1/embeddings');
    expect(upstream.body.input).toEqual(['hello world', 'bonjour']);

    const floats = await client.embeddings.create({ model: 'openai/text-embedding-fake', input: 'hello world', dimensions: 4, encoding_format: 'float' });
    expect(floats.data).toEqual([{ object: 'embedding', index: 0, embedding: fakeEmbedding('hello world', 4) }]);
    expect(lastRequest('text-embedding-fake')!.body.dimensions).toBe(4);

    // A provider without an embeddings API.
    const err = await client.embeddings.create({ model: 'anthropic/claude-fake', input: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('embeddings_unsupported');

    const tooMany = await client.embeddings.create({ model: 'openai/x', input: Array.from({ length: 257 }, () => 'a') }).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(OpenAI.BadRequestError);
    expect((tooMany as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('input');
  });
});
