import type { ContentPart } from '../providers/provider.types.js';
import type { MessageContentDto } from './dto/message.dto.js';
import { MessagesError, MessagesErrorCode } from './messages.errors.js';

export interface UploadFacts {
  filename: string;
  contentType: string;
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

// The stored parts of a user's message, from either `content` or `contentParts`. Parts naming an
// upload are checked against the caller's uploads (404 for another user's) and stored as a
// reference: image bytes are loaded when a request is built, never copied into the message.
export async function toUserParts(
  input: MessageContentDto,
  upload: (uploadId: string) => Promise<UploadFacts>,
): Promise<ContentPart[]> {
  if (input.content !== undefined && input.contentParts !== undefined) {
    throw new MessagesError(MessagesErrorCode.InvalidContent, 'Send content or contentParts, not both');
  }
  if (input.contentParts === undefined) {
    const text = input.content ?? '';
    if (text.trim().length === 0) throw new MessagesError(MessagesErrorCode.InvalidContent, 'The message has no content');
    return [{ type: 'text', text }];
  }
  const parts: ContentPart[] = [];
  for (const p of input.contentParts) {
    if (p.type === 'text') {
      parts.push({ type: 'text', text: p.text ?? '' });
    } else if (p.uploadId === undefined) {
      if (p.type === 'file') throw new MessagesError(MessagesErrorCode.InvalidContent, 'A file part needs an uploadId');
      parts.push({ type: 'image', mimeType: p.mimeType!, data: p.data! });
    } else {
      const facts = await upload(p.uploadId);
      if (p.type === 'image' && !IMAGE_TYPES.has(facts.contentType)) {
        throw new MessagesError(MessagesErrorCode.InvalidContent, `Upload ${p.uploadId} is ${facts.contentType}, not an image`);
      }
      parts.push(
        p.type === 'image'
          ? { type: 'image', mimeType: facts.contentType, uploadId: p.uploadId }
          : { type: 'file', uploadId: p.uploadId, name: facts.filename, mimeType: facts.contentType },
      );
    }
  }
  if (!parts.some((p) => (p.type === 'text' && p.text.trim().length > 0) || p.type === 'image' || p.type === 'file')) {
    throw new MessagesError(MessagesErrorCode.InvalidContent, 'The message has no content');
  }
  return parts;
}

export function textOf(parts: ContentPart[]): string {
  return parts
    .filter((p): p is Extract<ContentPart, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
}
