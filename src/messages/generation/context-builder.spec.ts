import { describe, it } from 'node:test';
import { expect } from 'expect';
import { buildContext, type HistoryMessage, PromptTooLongError } from './context-builder.js';

const text = (role: 'user' | 'assistant', t: string, status = 'completed'): HistoryMessage => ({
  role,
  status,
  contentParts: [{ type: 'text', text: t }],
});
const roomy = { contextMessages: null, contextWindow: 100_000, maxOutputTokens: 1_000, vision: true };

describe('buildContext', () => {
  it('sends the whole branch when it fits', () => {
    const out = buildContext([text('user', 'a'), text('assistant', 'b'), text('user', 'c')], undefined, roomy);
    expect(out.map((m) => [m.role, m.parts])).toEqual([
      ['user', [{ type: 'text', text: 'a' }]],
      ['assistant', [{ type: 'text', text: 'b' }]],
      ['user', [{ type: 'text', text: 'c' }]],
    ]);
  });

  it('keeps only contextMessages earlier messages, and opens with a user turn', () => {
    const history = [text('user', '1'), text('assistant', '2'), text('user', '3'), text('assistant', '4'), text('user', '5')];
    expect(buildContext(history, undefined, { ...roomy, contextMessages: 2 }).map((m) => m.parts[0])).toEqual([
      { type: 'text', text: '3' },
      { type: 'text', text: '4' },
      { type: 'text', text: '5' },
    ]);
    // Three earlier would start with an assistant turn, which is dropped.
    expect(buildContext(history, undefined, { ...roomy, contextMessages: 3 })[0].role).toBe('user');
    expect(buildContext(history, undefined, { ...roomy, contextMessages: 0 })).toHaveLength(1);
  });

  it('drops the oldest messages that do not fit the window, counted in tokens', () => {
    const long = 'word '.repeat(400); // 400+ tokens, 2000 bytes
    const history = [text('user', long), text('assistant', long), text('user', long), text('assistant', 'ok'), text('user', 'now')];
    const out = buildContext(history, 'be brief', { contextMessages: null, contextWindow: 1_500, maxOutputTokens: 500, vision: true });
    // 1000 tokens of room: 'now', 'ok' and one long message (401 tokens) fit, a second does not.
    expect(out.map((m) => m.parts[0].type === 'text' && m.parts[0].text.length)).toEqual([long.length, 2, 3]);
  });

  it('refuses a message larger than the window', () => {
    expect(() =>
      buildContext([text('user', 'word '.repeat(2000))], undefined, { ...roomy, contextWindow: 1_000, maxOutputTokens: 100 }),
    ).toThrow(PromptTooLongError);
  });

  it('skips replies that produced nothing, earlier reasoning, and images for text-only models', () => {
    const history: HistoryMessage[] = [
      text('user', 'look'),
      { role: 'assistant', status: 'error', contentParts: [] },
      {
        role: 'user',
        status: 'completed',
        contentParts: [
          { type: 'text', text: 'this' },
          { type: 'image', mimeType: 'image/png', data: 'AAAA' },
        ],
      },
      {
        role: 'assistant',
        status: 'completed',
        contentParts: [
          { type: 'reasoning', text: 'thinking' },
          { type: 'text', text: 'a cat' },
        ],
      },
      text('user', 'more'),
    ];
    const out = buildContext(history, undefined, { ...roomy, vision: false });
    expect(out.map((m) => m.role)).toEqual(['user', 'user', 'assistant', 'user']);
    expect(out[1].parts[1]).toEqual({ type: 'text', text: '[image omitted: this model does not take images]' });
    expect(out[2].parts).toEqual([{ type: 'text', text: 'a cat' }]);
    expect(buildContext(history, undefined, roomy)[1].parts[1].type).toBe('image');
  });
});
