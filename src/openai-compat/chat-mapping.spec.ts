import { describe, it } from 'node:test';
import { expect } from 'expect';
import { toChatTurn, toStop, toToolChoice, toToolDefinitions } from './chat-mapping.js';
import { OpenAICompatError } from './openai-compat.errors.js';

const refusal = (fn: () => unknown): OpenAICompatError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof OpenAICompatError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('toChatTurn', () => {
  it('joins system and developer messages into the system prompt', () => {
    const turn = toChatTurn([
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] },
      { role: 'user', content: 'Hi' },
    ]);
    expect(turn).toEqual({ system: 'Be brief.\n\nUse French.', messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hi' }] }] });
  });

  it('maps user text and data: URL images to parts', () => {
    const turn = toChatTurn([
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/PNG;base64,iVBO\nRw0=' } }] },
    ]);
    expect(turn.messages[0].parts).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image', mimeType: 'image/png', data: 'iVBORw0=' },
    ]);
  });

  it('maps assistant tool calls and tool results, naming the tool from its call', () => {
    const turn = toChatTurn([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      { role: 'assistant', content: [{ type: 'text', text: 'It is ' }, { type: 'text', text: 'sunny.' }] },
    ]);
    expect(turn.messages.slice(1)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool-call', toolCallId: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', parts: [{ type: 'tool-result', toolCallId: 'c1', name: 'get_weather', result: 'sunny' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'It is sunny.' }] },
    ]);
  });

  it('refuses what it cannot map, naming the parameter', () => {
    expect(refusal(() => toChatTurn([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/cat.png' } }] }])).param).toBe(
      'messages[0].content[0].image_url.url',
    );
    expect(refusal(() => toChatTurn([{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }])).message).toBe(
      'Unsupported content part type "input_audio"',
    );
    expect(refusal(() => toChatTurn([{ role: 'function', content: 'x' }])).param).toBe('messages[0].role');
    expect(refusal(() => toChatTurn([{ role: 'tool', content: 'x' }])).param).toBe('messages[0].tool_call_id');
    expect(refusal(() => toChatTurn([{ role: 'assistant', content: null }])).param).toBe('messages[0].content');
    expect(refusal(() => toChatTurn([{ role: 'system', content: 'only a prompt' }])).param).toBe('messages');
    expect(refusal(() => toChatTurn(['text'])).param).toBe('messages[0]');
  });
});

describe('tools, tool choice and stop', () => {
  const tools = toToolDefinitions([{ type: 'function', function: { name: 'lookup' } }]);

  it('defaults a tool without parameters to an empty object schema', () => {
    expect(tools).toEqual([{ name: 'lookup', parameters: { type: 'object', properties: {} } }]);
    expect(toToolDefinitions([])).toBeUndefined();
  });

  it('maps tool_choice and refuses a named tool that is not offered', () => {
    expect(toToolChoice('required', tools)).toBe('required');
    expect(toToolChoice({ type: 'function', function: { name: 'lookup' } }, tools)).toEqual({ name: 'lookup' });
    expect(refusal(() => toToolChoice({ type: 'function', function: { name: 'other' } }, tools)).param).toBe('tool_choice');
  });

  it('normalizes stop to a list', () => {
    expect(toStop('END')).toEqual(['END']);
    expect(toStop(['a', 'b'])).toEqual(['a', 'b']);
    expect(toStop([])).toBeUndefined();
    expect(toStop(null)).toBeUndefined();
  });
});
