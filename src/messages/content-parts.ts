import type { ContentPart } from '../providers/provider.types.js';
import type { MessageContentDto } from './dto/message.dto.js';
import { MessagesError, MessagesErrorCode } from './messages.errors.js';

// The stored parts of a user's message, from either `content` or `contentParts`.
export function toUserParts(input: MessageContentDto): ContentPart[] {
  if (input.content !== undefined && input.contentParts !== undefined) {
    throw new MessagesError(MessagesErrorCode.InvalidContent, 'Send content or contentParts, not both');
  }
  if (input.contentParts === undefined) return [{ type: 'text', text: input.content ?? '' }];
  const parts = input.contentParts.map((p): ContentPart => {
    if (p.uploadId !== undefined || p.type === 'file') {
      // Uploads (and images by upload id) arrive with the uploads module; inline images work now.
      throw new MessagesError(MessagesErrorCode.UploadsUnavailable, 'Parts that reference uploads are not supported yet; send images inline');
    }
    if (p.type === 'image') return { type: 'image', mimeType: p.mimeType!, data: p.data! };
    return { type: 'text', text: p.text ?? '' };
  });
  if (!parts.some((p) => (p.type === 'text' && p.text.trim().length > 0) || p.type === 'image')) {
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
