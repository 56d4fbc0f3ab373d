import type { ContentPart } from '../../providers/provider.types.js';
import { IMAGE_TYPES } from '../../messages/dto/content-part.dto.js';
import { isObject, type Json, type Problems } from './import-model.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// Parts of this API's export and of Chatbox backups (their shapes overlap). Anything that cannot
// be stored as it is (unknown types, images or files by reference) is kept as a text part.
export function toParts(p: Problems, raw: unknown, path: string): ContentPart[] {
  if (!Array.isArray(raw)) {
    p.add(path, 'must be an array');
    return [];
  }
  return raw.flatMap((part, i) => toPart(p, part, `${path}[${i}]`));
}

function toPart(p: Problems, raw: unknown, path: string): ContentPart[] {
  if (!isObject(raw) || typeof raw.type !== 'string') {
    p.add(`${path}.type`, 'must be a part with a string type');
    return [];
  }
  switch (raw.type) {
    case 'text':
    case 'reasoning':
      if (typeof raw.text !== 'string') {
        p.add(`${path}.text`, 'must be a string');
        return [];
      }
      return [{ type: raw.type, text: raw.text }];
    case 'image':
      return [image(raw)];
    case 'file':
      return [{ type: 'text', text: `[file${typeof raw.name === 'string' ? `: ${raw.name}` : ''}]` }];
    case 'tool-call':
      return toolCall(raw);
    case 'tool-result':
      return [{ type: 'tool-result', toolCallId: str(raw.toolCallId), name: strOr(raw.name), result: jsonText(raw.result) }];
    default:
      return [unknownPart(raw)];
  }
}

function image(raw: Json): ContentPart {
  const { mimeType, data } = raw;
  if (typeof mimeType === 'string' && (IMAGE_TYPES as readonly string[]).includes(mimeType) && typeof data === 'string' && BASE64.test(data)) {
    return { type: 'image', mimeType, data };
  }
  // Chatbox keeps image bytes in its own storage (storageKey): only the reference can come along.
  const ref = [raw.storageKey, raw.url, raw.uploadId].find((v): v is string => typeof v === 'string');
  return { type: 'text', text: ref ? `[image: ${ref}]` : '[image]' };
}

// Chatbox tool calls carry their result; ours keep it in a separate part.
function toolCall(raw: Json): ContentPart[] {
  const toolCallId = str(raw.toolCallId);
  const name = str(raw.name ?? raw.toolName);
  const args = typeof raw.arguments === 'string' ? raw.arguments : JSON.stringify(raw.args ?? raw.input ?? {});
  const parts: ContentPart[] = [{ type: 'tool-call', toolCallId, name, arguments: args }];
  if (raw.result !== undefined && raw.result !== null) parts.push({ type: 'tool-result', toolCallId, name, result: jsonText(raw.result) });
  return parts;
}

export function unknownPart(raw: Json): ContentPart {
  return { type: 'text', text: typeof raw.text === 'string' ? raw.text : JSON.stringify(raw) };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v.slice(0, 255) : '';
}

function strOr(v: unknown): string | undefined {
  return typeof v === 'string' ? v.slice(0, 255) : undefined;
}

function jsonText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v ?? null);
}
