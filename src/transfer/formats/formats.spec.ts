import { describe, it } from 'node:test';
import { expect } from 'expect';
import { highlight } from '../../search/search.service.js';
import { MARK_END, MARK_START } from '../../search/search.repository.js';
import { parseChatbox } from './chatbox.format.js';
import { isChatGptExport, parseChatGpt } from './chatgpt.format.js';
import { MAX_IMPORT_SESSIONS, Problems, topologicalOrder } from './import-model.js';
import { EXPORT_FORMAT, parseNative } from './native.format.js';

const node = (role: string, text: string, parent: string | null, extra: object = {}) => ({
  parent,
  message: { author: { role }, content: { content_type: 'text', parts: [text] }, ...extra },
});

describe('import formats', () => {
  it('orders parents before children and detects cycles', () => {
    const m = (key: string, parentKey: string | null) => ({ key, parentKey }) as never;
    expect(topologicalOrder([m('c', 'b'), m('b', 'a'), m('a', null)])?.map((x: { key: string }) => x.key)).toEqual(['a', 'b', 'c']);
    expect(topologicalOrder([m('a', 'b'), m('b', 'a')])).toBeNull();
  });

  it('reattaches children of skipped ChatGPT nodes to the nearest kept ancestor', () => {
    const p = new Problems();
    const [session] = parseChatGpt(p, [
      {
        title: 'T',
        current_node: 'hidden',
        mapping: {
          root: { parent: null, message: null },
          sys: node('system', 'Answer in French.', 'root'),
          u: node('user', 'Hi', 'sys'),
          tool: node('tool', 'tool output', 'u'),
          a: node('assistant', 'Salut', 'tool'),
          hidden: node('assistant', 'secret', 'a', { metadata: { is_visually_hidden_from_conversation: true } }),
        },
      },
    ]);
    expect(p.errors).toEqual([]);
    expect(session.settings.systemPrompt).toBe('Answer in French.');
    expect(session.messages.map((x) => [x.key, x.parentKey])).toEqual([['u', null], ['a', 'u']]);
    expect(session.currentLeafKey).toBe('a');
  });

  it('refuses ChatGPT mappings with unknown parents or loops', () => {
    const unknown = new Problems();
    parseChatGpt(unknown, [{ mapping: { u: node('user', 'x', 'ghost') } }]);
    expect(unknown.errors).toEqual([{ field: 'conversations[0].mapping.u.parent', message: 'refers to unknown node "ghost"' }]);
    const loop = new Problems();
    parseChatGpt(loop, [{ mapping: { a: node('user', 'x', 'b'), b: node('assistant', 'y', 'c'), c: { parent: 'a', message: null } } }]);
    expect(loop.errors).toEqual([{ field: 'conversations[0].mapping', message: 'parent links form a cycle' }]);
    expect(isChatGptExport([])).toBe(false);
  });

  it('bounds the number of sessions and reports duplicate message ids', () => {
    const tooMany = new Problems();
    parseChatbox(tooMany, { sessions: Array.from({ length: MAX_IMPORT_SESSIONS + 1 }, () => ({ messages: [] })) });
    expect(tooMany.errors).toEqual([{ field: 'sessions', message: 'must have at most 10000 sessions (threads count as sessions)' }]);
    const dup = new Problems();
    const msg = { id: 'same', parentId: null, role: 'user', contentParts: [{ type: 'text', text: 'x' }] };
    parseNative(dup, { format: EXPORT_FORMAT, version: 1, sessions: [{ messages: [msg, msg] }] });
    expect(dup.errors).toEqual([{ field: 'sessions[0].messages[1].id', message: 'duplicate message id "same"' }]);
  });

  it('caps the number of reported problems', () => {
    const p = new Problems();
    parseChatbox(p, { sessions: [{ messages: Array.from({ length: 500 }, () => ({ role: 'nobody' })) }] });
    expect(p.errors).toHaveLength(50);
  });
});

describe('search snippets', () => {
  it('escapes the text and marks only the matches', () => {
    expect(highlight(`a <img src=x onerror=alert(1)> & ${MARK_START}word${MARK_END}'s`)).toBe(
      "a &lt;img src=x onerror=alert(1)&gt; &amp; <mark>word</mark>&#39;s",
    );
  });
});
