import type { ContentPart } from '../../providers/provider.types.js';
import { textOf } from '../../messages/content-parts.js';
import {
  checkTree,
  type ImportedMessage,
  type ImportedSession,
  isObject,
  type Json,
  MAX_IMPORT_SESSIONS,
  optionalCount,
  type Problems,
  toDate,
} from './import-model.js';
import { toParts } from './parts.js';

const ROLES = ['system', 'user', 'assistant', 'tool'];

// A Chatbox backup: {version, exportDate, sessions: [{id, name, messages, threads?}]}.
export function isChatboxBackup(doc: unknown): boolean {
  return isObject(doc) && Array.isArray(doc.sessions) && !('exportedAt' in doc);
}

// Chatbox conversations are linear: each message answers the one before. System messages become
// the session's system prompt; a thread (an older, closed segment of the conversation, whose
// context Chatbox no longer sends) becomes a session of its own.
export function parseChatbox(p: Problems, doc: Json): ImportedSession[] {
  const sessions = doc.sessions as unknown[];
  const out: ImportedSession[] = [];
  sessions.forEach((raw, i) => {
    if (p.full) return;
    const path = `sessions[${i}]`;
    if (!isObject(raw)) {
      p.add(path, 'must be an object');
      return;
    }
    const name = typeof raw.name === 'string' ? raw.name.slice(0, 200) : null;
    const threads = raw.threads === undefined || raw.threads === null ? [] : raw.threads;
    if (!Array.isArray(threads)) p.add(`${path}.threads`, 'must be an array');
    else {
      threads.forEach((thread, t) => {
        const threadPath = `${path}.threads[${t}]`;
        if (!isObject(thread)) return p.add(threadPath, 'must be an object');
        const threadName = typeof thread.name === 'string' ? thread.name : `thread ${t + 1}`;
        const title = `${name ?? 'Chat'} (${threadName})`.slice(0, 200);
        out.push(toSession(p, title, thread.messages, threadPath));
      });
    }
    out.push(toSession(p, name, raw.messages, path));
  });
  if (out.length > MAX_IMPORT_SESSIONS) p.add('sessions', `must have at most ${MAX_IMPORT_SESSIONS} sessions (threads count as sessions)`);
  return out;
}

function toSession(p: Problems, title: string | null, rawMessages: unknown, path: string): ImportedSession {
  const messages: ImportedMessage[] = [];
  const systemPrompts: string[] = [];
  if (!Array.isArray(rawMessages)) p.add(`${path}.messages`, 'must be an array');
  else {
    let parentKey: string | null = null;
    rawMessages.forEach((raw, j) => {
      if (p.full) return;
      const mPath = `${path}.messages[${j}]`;
      if (!isObject(raw)) return p.add(mPath, 'must be an object');
      if (typeof raw.role !== 'string' || !ROLES.includes(raw.role)) {
        return p.add(`${mPath}.role`, `must be one of ${ROLES.join(', ')}`);
      }
      const parts = messageParts(p, raw, mPath);
      if (raw.role === 'system') {
        systemPrompts.push(textOf(parts));
        return;
      }
      // Keys are positions, not Chatbox ids: those are not guaranteed unique.
      const key = String(j);
      messages.push({
        key,
        parentKey,
        // A tool message is the result of the assistant's call: kept in the reply's turn.
        role: raw.role === 'user' ? 'user' : 'assistant',
        contentParts: parts,
        provider: typeof raw.aiProvider === 'string' ? raw.aiProvider.slice(0, 64) : null,
        model: typeof raw.model === 'string' ? raw.model.slice(0, 200) : null,
        usage: usageOf(raw),
        createdAt: toDate(raw.timestamp),
      });
      parentKey = key;
    });
  }
  const session: ImportedSession = {
    title,
    settings: {
      systemPrompt: systemPrompts.filter((s) => s.trim().length > 0).join('\n\n').slice(0, 100_000) || null,
      temperature: null,
      maxTokens: null,
      contextMessages: null,
    },
    pinned: false,
    archived: false,
    folder: null,
    tags: [],
    messages,
    currentLeafKey: messages.at(-1)?.key ?? null,
    createdAt: messages[0]?.createdAt ?? null,
  };
  checkTree(p, session, path);
  return session;
}

// Newer Chatbox messages have contentParts; older ones a plain content string.
function messageParts(p: Problems, raw: Json, path: string): ContentPart[] {
  if (raw.contentParts !== undefined) return toParts(p, raw.contentParts, `${path}.contentParts`);
  if (typeof raw.content === 'string') return [{ type: 'text', text: raw.content }];
  p.add(`${path}.contentParts`, 'must be an array (or content a string)');
  return [];
}

function usageOf(raw: Json): ImportedMessage['usage'] {
  const u = isObject(raw.usage) ? raw.usage : {};
  return {
    inputTokens: optionalCount(u.inputTokens ?? u.promptTokens),
    outputTokens: optionalCount(u.outputTokens ?? u.completionTokens),
    reasoningTokens: optionalCount(u.reasoningTokens),
  };
}
