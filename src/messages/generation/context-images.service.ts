import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ContentPart } from '../../providers/provider.types.js';
import { UploadsService } from '../../uploads/uploads.service.js';
import type { HistoryMessage } from './context-builder.js';

export type AuthoredMessage = HistoryMessage & { authorId: string | null };

// Fills in the bytes of uploaded images for a vision request. An image is loaded as its author
// (in a group session the owner may regenerate under a member's image); an upload deleted since
// becomes a note, not a failed reply.
@Injectable()
export class ContextImagesService {
  private readonly logger = new Logger(ContextImagesService.name);

  constructor(@Inject(UploadsService) private readonly uploads: UploadsService) {}

  async load(messages: AuthoredMessage[], fallbackUserId: string): Promise<HistoryMessage[]> {
    return Promise.all(
      messages.map(async (m) => {
        if (!m.contentParts.some((p) => p.type === 'image' && p.data === undefined && p.uploadId)) return m;
        const parts = await Promise.all(m.contentParts.map((p) => this.loadPart(p, m.authorId ?? fallbackUserId)));
        return { ...m, contentParts: parts };
      }),
    );
  }

  private async loadPart(part: ContentPart, userId: string): Promise<ContentPart> {
    if (part.type !== 'image' || part.data !== undefined || !part.uploadId) return part;
    try {
      const image = await this.uploads.loadImage(userId, part.uploadId);
      return { ...part, mimeType: image.mimeType, data: image.data };
    } catch (err) {
      this.logger.warn({ err, uploadId: part.uploadId }, 'An image of the context could not be loaded');
      return { type: 'text', text: '[image no longer available]' };
    }
  }
}
