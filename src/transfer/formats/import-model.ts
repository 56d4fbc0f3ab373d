import type { ContentPart } from '../../providers/provider.types.js';
import type { FieldError } from '../../common/errors/validation.error.js';

export const MAX_IMPORT_SESSIONS = 10_000;
export const MAX_IMPORT_MESSAGES_PER_SESSION = 50_000;
export const MAX_IMPORT_TEXT_BYTES = 1_048_576;
// Beyond this many problems the answer lists no more: the file is refused either way.
const MAX_REPORTED_ERRORS = 50;

export type ImportFormat = 'chatbox-backend' | 'chatbox' | 'chatgpt';

// One message of any source format, before new ids are given. `key` is the source's own id
// (unique within its session) and only links parents to children.
export interface ImportedMessage {
  key: string;
  parentKey: string | null;
  role: 'user' | 'assistant';
  contentParts: ContentPart[];
  provider: string | null;
  model: string | null;
  // `estimated`: the counts are a tokenizer's estimate (this service's own exports say so).
  usage: { inputTokens: number | null; outputTokens: number | null; reasoningTokens: number | null; estimated?: boolean };
  createdAt: Date | null;
}

export interface ImportedSession {
  title: string | null;
  settings: {
    provider?: string;
    model?: string;
    systemPrompt: string | null;
    temperature: number | null;
    maxTokens: number | null;
    contextMessages: number | null;
  };
  pinned: boolean;
  archived: boolean;
  folder: string | null;
  tags: string[];
  messages: ImportedMessage[];
  currentLeafKey: string | null;
  createdAt: Date | null;
}

// Collects validation problems with paths such as `sessions[2].messages[5].role`.
export class Problems {
  readonly errors: FieldError[] = [];

  add(field: string, message: string): void {
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push({ field, message });
  }

  get full(): boolean {
    return this.errors.length >= MAX_REPORTED_ERRORS;
  }
}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function optionalString(p: Problems, obj: Json, key: string, path: string, max = 10_000): string | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') {
    p.add(`${path}.${key}`, 'must be a string');
    return null;
  }
  if (v.length > max) p.add(`${path}.${key}`, `must be at most ${max} characters`);
  return v;
}

export function optionalCount(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 2_147_483_647 ? v : null;
}

// Epoch milliseconds, epoch seconds (ChatGPT's floats) or an ISO string; null when absent or odd.
export function toDate(v: unknown, unit: 'ms' | 's' = 'ms'): Date | null {
  let d: Date | null = null;
  if (typeof v === 'number' && Number.isFinite(v)) d = new Date(unit === 's' ? v * 1000 : v);
  else if (typeof v === 'string' && v.length <= 64) d = new Date(v);
  if (!d || Number.isNaN(d.getTime()) || d.getFullYear() < 1970 || d.getFullYear() > 9999) return null;
  return d;
}

export function textBytes(parts: ContentPart[]): number {
  let total = 0;
  for (const part of parts) {
    if (part.type === 'text' || part.type === 'reasoning') total += Buffer.byteLength(part.text);
    else if (part.type === 'tool-call') total += Buffer.byteLength(part.arguments);
    else if (part.type === 'tool-result') total += Buffer.byteLength(part.result);
  }
  return total;
}

// Checks shared by every format, on the normalized messages: bounds, known parents, no cycles.
export function checkTree(p: Problems, session: ImportedSession, path: string): void {
  if (session.messages.length > MAX_IMPORT_MESSAGES_PER_SESSION) {
    p.add(`${path}.messages`, `must have at most ${MAX_IMPORT_MESSAGES_PER_SESSION} messages`);
    return;
  }
  const byKey = new Map<string, ImportedMessage>();
  session.messages.forEach((m, i) => {
    if (byKey.has(m.key)) p.add(`${path}.messages[${i}].id`, `duplicate message id "${m.key}"`);
    byKey.set(m.key, m);
    if (textBytes(m.contentParts) > MAX_IMPORT_TEXT_BYTES) p.add(`${path}.messages[${i}]`, 'text must be at most 1 MB');
  });
  session.messages.forEach((m, i) => {
    if (m.parentKey !== null && !byKey.has(m.parentKey)) {
      p.add(`${path}.messages[${i}].parentId`, `refers to unknown message "${m.parentKey}"`);
    }
  });
  if (session.currentLeafKey !== null && !byKey.has(session.currentLeafKey)) {
    p.add(`${path}.currentLeafId`, `refers to unknown message "${session.currentLeafKey}"`);
  }
  if (p.errors.length === 0 && topologicalOrder(session.messages) === null) {
    p.add(`${path}.messages`, 'parent links form a cycle');
  }
}

// Parents before children (inserts need it); null when the links form a cycle.
export function topologicalOrder(messages: ImportedMessage[]): ImportedMessage[] | null {
  const children = new Map<string | null, ImportedMessage[]>();
  for (const m of messages) {
    const list = children.get(m.parentKey) ?? [];
    list.push(m);
    children.set(m.parentKey, list);
  }
  const ordered: ImportedMessage[] = [];
  const queue = [...(children.get(null) ?? [])];
  for (let i = 0; i < queue.length; i++) {
    ordered.push(queue[i]);
    for (const child of children.get(queue[i].key) ?? []) queue.push(child);
  }
  return ordered.length === messages.length ? ordered : null;
}
