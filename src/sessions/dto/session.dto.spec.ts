import { describe, it } from 'node:test';
import { expect } from 'expect';
import { toPage } from '../../common/pagination/cursor.js';
import type { ListedSession } from '../sessions.repository.js';
import { serializeSessionPage, SessionResponseDto } from './session.dto.js';

const listed = (overrides: Partial<ListedSession> = {}): ListedSession => ({
  id: '0190c3f0-0000-7000-8000-000000000001',
  role: 'owner',
  title: null,
  provider: 'openai',
  model: 'gpt-4o-mini',
  systemPrompt: null,
  temperature: null,
  maxTokens: null,
  contextMessages: null,
  pinned: false,
  archived: false,
  folder: null,
  tags: [],
  knowledgeBaseIds: [],
  currentLeafId: null,
  lastActivityAt: '2026-12-01T19:58:20.123Z',
  createdAt: '2026-12-01T19:58:20.000Z',
  updatedAt: '2026-12-01T19:58:20.999Z',
  ...overrides,
});

const entry = (s: ListedSession) => SessionResponseDto.fromListed(s);

const odd = 'quote " backslash \\ / tab \t newline \n \u0001 \u001f \u007f é 中文 😀 \u2028 \ud800 <b>&amp;</b>';

// Pages as the list route builds them, with every kind of value a session holds.
const pages = [
  toPage([], 20, entry, (s) => ({ id: s.id })),
  toPage([listed()], 20, entry, (s) => ({ id: s.id })),
  toPage(
    [
      listed({
        role: 'member',
        title: odd,
        systemPrompt: odd.repeat(300),
        temperature: 0.7,
        maxTokens: 200_000,
        contextMessages: 0,
        pinned: true,
        archived: true,
        folder: 'Folder, with "quotes" and {braces}',
        tags: ['a,b', '{x}', 'with "quote"', 'back\\slash', 'NULL', 'é😀', ''],
        knowledgeBaseIds: ['0190c3f0-0000-7000-8000-00000000000a', '0190c3f0-0000-7000-8000-00000000000b'],
        currentLeafId: '0190c3f0-0000-7000-8000-00000000000c',
      }),
      ...[0, 1, 2, 0.1, 1e-7, 0.12345679].map((temperature, i) => listed({ id: `0190c3f0-0000-7000-8000-00000000010${i}`, temperature, systemPrompt: '' })),
    ],
    3,
    entry,
    (s) => ({ lastActivityAt: s.lastActivityAt, id: s.id }),
  ),
];

describe('the session list response serializer', () => {
  it('writes exactly the bytes JSON.stringify writes', () => {
    for (const page of pages) expect(serializeSessionPage(page)).toBe(JSON.stringify(page));
  });
});
