import { describe, it } from 'node:test';
import { expect } from 'expect';
import type { ProviderEvent } from '../providers/provider.types.js';
import { ChunkBuilder, CompletionAccumulator, toFinishReason } from './chat-chunks.js';

const meta = { id: 'chatcmpl-1', created: 1_700_000_000, model: 'openai/gpt' };

const events: ProviderEvent[] = [
  { type: 'reasoning', delta: 'thinking' },
  { type: 'text', delta: 'Hel' },
  { type: 'text', delta: 'lo' },
  { type: 'tool-call', index: 1, id: 'c2', name: 'b', argumentsDelta: '{}' },
  { type: 'tool-call', index: 0, id: 'c1', name: 'a', argumentsDelta: '{"x"' },
  { type: 'tool-call', index: 0, argumentsDelta: ':1}' },
  { type: 'usage', usage: { inputTokens: 10, outputTokens: 7, reasoningTokens: 3 } },
  { type: 'finish', reason: 'tool_calls' },
];

describe('ChunkBuilder', () => {
  it('opens with the assistant role and maps deltas, tool-call pieces and the end', () => {
    const chunks = new ChunkBuilder(meta, false);
    expect(chunks.first()).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'openai/gpt',
      system_fingerprint: null,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    });
    const deltas = events.map((e) => chunks.fromEvent(e)?.choices[0].delta);
    expect(deltas).toEqual([
      { reasoning_content: 'thinking' },
      { content: 'Hel' },
      { content: 'lo' },
      { tool_calls: [{ index: 1, id: 'c2', type: 'function', function: { name: 'b', arguments: '{}' } }] },
      { tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'a', arguments: '{"x"' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] },
      undefined,
      undefined,
    ]);
    expect(chunks.finish('tool_calls').choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
  });

  it('with include_usage, carries usage: null and ends with a usage chunk without choices', () => {
    const chunks = new ChunkBuilder(meta, true);
    expect(chunks.first().usage).toBeNull();
    expect(chunks.usage({ inputTokens: 4, outputTokens: 6, reasoningTokens: 2 })).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10, completion_tokens_details: { reasoning_tokens: 2 } },
    });
    expect(chunks.usage(undefined).usage).toMatchObject({ prompt_tokens: 0, total_tokens: 0 });
  });
});

describe('CompletionAccumulator', () => {
  it('assembles text, reasoning, ordered tool calls, usage and finish reason', () => {
    const reply = new CompletionAccumulator();
    for (const e of events) reply.apply(e);
    expect(reply.toCompletion(meta, reply.usage)).toEqual({
      ...meta,
      object: 'chat.completion',
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hello',
            refusal: null,
            reasoning_content: 'thinking',
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
              { id: 'c2', type: 'function', function: { name: 'b', arguments: '{}' } },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17, completion_tokens_details: { reasoning_tokens: 3 } },
    });
  });

  it('answers null content for a tool-only reply and an empty string for an empty one', () => {
    const tools = new CompletionAccumulator();
    tools.apply({ type: 'tool-call', index: 0, id: 'c', name: 'n', argumentsDelta: '{}' });
    expect(tools.toCompletion(meta, undefined).choices[0].message.content).toBeNull();
    expect(new CompletionAccumulator().toCompletion(meta, undefined).choices[0]).toMatchObject({ message: { content: '' }, finish_reason: 'stop' });
  });

  it('maps finish reasons OpenAI does not have to stop', () => {
    expect(toFinishReason('error')).toBe('stop');
    expect(toFinishReason('other')).toBe('stop');
    expect(toFinishReason('length')).toBe('length');
  });
});
