import {
  checkTree,
  type ImportedMessage,
  type ImportedSession,
  isObject,
  type Json,
  MAX_IMPORT_SESSIONS,
  optionalCount,
  optionalString,
  type Problems,
  toDate,
} from './import-model.js';
import { toParts } from './parts.js';

export const EXPORT_FORMAT = 'chatbox-backend.export';
export const EXPORT_VERSION = 1;

export function isNativeExport(doc: unknown): boolean {
  return isObject(doc) && doc.format === EXPORT_FORMAT;
}

// This API's own export: the whole tree of every session, with its settings.
export function parseNative(p: Problems, doc: Json): ImportedSession[] {
  if (doc.version !== EXPORT_VERSION) p.add('version', `must be ${EXPORT_VERSION}`);
  if (!Array.isArray(doc.sessions)) {
    p.add('sessions', 'must be an array');
    return [];
  }
  if (doc.sessions.length > MAX_IMPORT_SESSIONS) {
    p.add('sessions', `must have at most ${MAX_IMPORT_SESSIONS} sessions`);
    return [];
  }
  const out: ImportedSession[] = [];
  for (const [i, raw] of (doc.sessions as unknown[]).entries()) {
    if (p.full) break;
    const path = `sessions[${i}]`;
    if (!isObject(raw)) {
      p.add(path, 'must be an object');
      continue;
    }
    const session = parseSession(p, raw, path);
    checkTree(p, session, path);
    out.push(session);
  }
  return out;
}

function parseSession(p: Problems, raw: Json, path: string): ImportedSession {
  const settings = isObject(raw.settings) ? raw.settings : {};
  const temperature = settings.temperature;
  const tags = Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string' && t.length <= 50).slice(0, 20) : [];
  const messages: ImportedMessage[] = [];
  if (!Array.isArray(raw.messages)) p.add(`${path}.messages`, 'must be an array');
  else {
    for (const [j, m] of (raw.messages as unknown[]).entries()) {
      if (p.full) break;
      const message = parseMessage(p, m, `${path}.messages[${j}]`);
      if (message) messages.push(message);
    }
  }
  return {
    title: optionalString(p, raw, 'title', path, 200),
    settings: {
      provider: typeof settings.provider === 'string' && /^[a-z0-9][a-z0-9_-]{0,63}$/.test(settings.provider) ? settings.provider : undefined,
      model: typeof settings.model === 'string' && settings.model.length <= 200 && settings.model.length > 0 ? settings.model : undefined,
      systemPrompt: optionalString(p, settings, 'systemPrompt', `${path}.settings`, 100_000),
      temperature: typeof temperature === 'number' && temperature >= 0 && temperature <= 2 ? temperature : null,
      maxTokens: optionalCount(settings.maxTokens),
      contextMessages: optionalCount(settings.contextMessages),
    },
    pinned: raw.pinned === true,
    archived: raw.archived === true,
    folder: optionalString(p, raw, 'folder', path, 200),
    tags,
    messages,
    currentLeafKey: typeof raw.currentLeafId === 'string' ? raw.currentLeafId : null,
    createdAt: toDate(raw.createdAt),
  };
}

function parseMessage(p: Problems, raw: unknown, path: string): ImportedMessage | null {
  if (!isObject(raw)) {
    p.add(path, 'must be an object');
    return null;
  }
  if (typeof raw.id !== 'string' || raw.id.length === 0 || raw.id.length > 200) p.add(`${path}.id`, 'must be a non-empty string');
  if (raw.parentId !== null && typeof raw.parentId !== 'string') p.add(`${path}.parentId`, 'must be a string or null');
  if (raw.role !== 'user' && raw.role !== 'assistant') p.add(`${path}.role`, 'must be one of user, assistant');
  const usage = isObject(raw.usage) ? raw.usage : {};
  return {
    key: String(raw.id),
    parentKey: typeof raw.parentId === 'string' ? raw.parentId : null,
    role: raw.role === 'assistant' ? 'assistant' : 'user',
    contentParts: toParts(p, raw.contentParts, `${path}.contentParts`),
    provider: optionalString(p, raw, 'provider', path, 64),
    model: optionalString(p, raw, 'model', path, 200),
    usage: {
      inputTokens: optionalCount(usage.inputTokens),
      outputTokens: optionalCount(usage.outputTokens),
      reasoningTokens: optionalCount(usage.reasoningTokens),
      estimated: usage.estimated === true,
    },
    createdAt: toDate(raw.createdAt),
  };
}
