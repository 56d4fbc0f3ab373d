import type { ContentPart } from '../../providers/provider.types.js';
import { textOf } from '../../messages/content-parts.js';
import {
  checkTree,
  type ImportedMessage,
  type ImportedSession,
  isObject,
  type Json,
  MAX_IMPORT_SESSIONS,
  type Problems,
  toDate,
  topologicalOrder,
} from './import-model.js';
import { unknownPart } from './parts.js';

// ChatGPT's conversations.json: an array of conversations, each a `mapping` tree of nodes.
export function isChatGptExport(doc: unknown): boolean {
  return Array.isArray(doc) && doc.length > 0 && doc.every((c) => isObject(c) && 'mapping' in c);
}

// User and assistant nodes are kept, with their branches (regenerations, edits). The system
// node's text becomes the system prompt; tool nodes (browsing, code output) and hidden or empty
// nodes are skipped, their children attached to the nearest kept ancestor.
export function parseChatGpt(p: Problems, doc: unknown[]): ImportedSession[] {
  if (doc.length > MAX_IMPORT_SESSIONS) {
    p.add('conversations', `must have at most ${MAX_IMPORT_SESSIONS} conversations`);
    return [];
  }
  const out: ImportedSession[] = [];
  for (const [i, raw] of doc.entries()) {
    if (p.full) break;
    const path = `conversations[${i}]`;
    const conversation = raw as Json;
    if (!isObject(conversation.mapping)) {
      p.add(`${path}.mapping`, 'must be an object');
      continue;
    }
    const session = toSession(p, conversation, conversation.mapping, path);
    if (session) {
      checkTree(p, session, path);
      out.push(session);
    }
  }
  return out;
}

interface Node {
  parent: string | null;
  message: Json | null;
}

function toSession(p: Problems, conversation: Json, mapping: Json, path: string): ImportedSession | null {
  const nodes = new Map<string, Node>();
  for (const [id, raw] of Object.entries(mapping)) {
    const nodePath = `${path}.mapping.${id}`;
    if (!isObject(raw)) {
      p.add(nodePath, 'must be an object');
      continue;
    }
    if (raw.parent !== null && raw.parent !== undefined && typeof raw.parent !== 'string') p.add(`${nodePath}.parent`, 'must be a string or null');
    const parent = typeof raw.parent === 'string' ? raw.parent : null;
    if (parent !== null && !(parent in mapping)) p.add(`${nodePath}.parent`, `refers to unknown node "${parent}"`);
    if (raw.message !== null && raw.message !== undefined && !isObject(raw.message)) p.add(`${nodePath}.message`, 'must be an object or null');
    nodes.set(id, { parent, message: isObject(raw.message) ? raw.message : null });
  }
  if (p.errors.length > 0) return null;

  const kept = new Map<string, ImportedMessage>();
  const systemPrompts: string[] = [];
  for (const [id, node] of nodes) {
    const m = node.message;
    const role = isObject(m?.author) ? m.author.role : undefined;
    if (!m || hidden(m)) continue;
    const parts = contentParts(m.content);
    if (parts.length === 0) continue;
    if (role === 'system') systemPrompts.push(textOf(parts));
    if (role !== 'user' && role !== 'assistant') continue;
    const metadata = isObject(m.metadata) ? m.metadata : {};
    kept.set(id, {
      key: id,
      parentKey: null,
      role,
      contentParts: parts,
      provider: role === 'assistant' ? 'openai' : null,
      model: typeof metadata.model_slug === 'string' ? metadata.model_slug.slice(0, 200) : null,
      usage: { inputTokens: null, outputTokens: null, reasoningTokens: null },
      createdAt: toDate(m.create_time, 's'),
    });
  }
  // Nearest kept ancestor; a walk longer than the mapping means the parents loop.
  const keptAncestor = (start: string | null): string | null | undefined => {
    let id = start;
    for (let steps = 0; id !== null; steps++) {
      if (steps > nodes.size) return undefined;
      if (kept.has(id)) return id;
      id = nodes.get(id)?.parent ?? null;
    }
    return null;
  };
  for (const [id, message] of kept) {
    const parent = keptAncestor(nodes.get(id)!.parent);
    if (parent === undefined) {
      p.add(`${path}.mapping`, 'parent links form a cycle');
      return null;
    }
    message.parentKey = parent;
  }
  if (topologicalOrder([...kept.values()]) === null) {
    p.add(`${path}.mapping`, 'parent links form a cycle');
    return null;
  }
  const current = typeof conversation.current_node === 'string' ? keptAncestor(conversation.current_node) : null;
  const messages = [...kept.values()];
  return {
    title: typeof conversation.title === 'string' ? conversation.title.slice(0, 200) : null,
    settings: {
      systemPrompt: systemPrompts.filter((s) => s.trim().length > 0).join('\n\n').slice(0, 100_000) || null,
      temperature: null,
      maxTokens: null,
      contextMessages: null,
    },
    pinned: false,
    archived: conversation.is_archived === true,
    folder: null,
    tags: [],
    messages,
    currentLeafKey: current ?? null,
    createdAt: toDate(conversation.create_time, 's'),
  };
}

function hidden(m: Json): boolean {
  const metadata = isObject(m.metadata) ? m.metadata : {};
  return metadata.is_visually_hidden_from_conversation === true;
}

function contentParts(content: unknown): ContentPart[] {
  if (!isObject(content)) return [];
  const strings = (Array.isArray(content.parts) ? content.parts : []) as unknown[];
  switch (content.content_type) {
    case 'text':
    case 'multimodal_text':
      return strings.flatMap((part): ContentPart[] => {
        if (typeof part === 'string') return part.trim() ? [{ type: 'text', text: part }] : [];
        if (isObject(part) && part.content_type === 'image_asset_pointer') {
          return [{ type: 'text', text: `[image: ${typeof part.asset_pointer === 'string' ? part.asset_pointer : ''}]` }];
        }
        return isObject(part) ? [unknownPart(part)] : [];
      });
    case 'code':
      return typeof content.text === 'string' && content.text.trim()
        ? [{ type: 'text', text: `\`\`\`${typeof content.language === 'string' && content.language !== 'unknown' ? content.language : ''}\n${content.text}\n\`\`\`` }]
        : [];
    case 'thoughts': {
      const thoughts = Array.isArray(content.thoughts) ? content.thoughts : [];
      const text = thoughts.map((t) => (isObject(t) && typeof t.content === 'string' ? t.content : '')).filter(Boolean).join('\n\n');
      return text ? [{ type: 'reasoning', text }] : [];
    }
    case 'reasoning_recap':
      return [];
    default: {
      const text = typeof content.text === 'string' ? content.text : strings.filter((s) => typeof s === 'string').join('\n');
      return text.trim() ? [{ type: 'text', text }] : [unknownPart(content)];
    }
  }
}
