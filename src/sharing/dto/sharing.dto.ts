import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OptionalNotNull } from '../../common/validation/optional-not-null.js';
import { IsIn } from 'class-validator';
import { ContentPartDto } from '../../messages/dto/content-part.dto.js';
import type { ContentPart } from '../../providers/provider.types.js';
import { SHARE_MODES, type SessionShare, type ShareMode } from '../entities/session-share.entity.js';

export class CreateShareDto {
  @ApiPropertyOptional({
    enum: SHARE_MODES,
    default: 'snapshot',
    description: 'snapshot: the current branch as it is now; live: whatever branch is current when the link is opened',
  })
  @OptionalNotNull()
  @IsIn(SHARE_MODES)
  mode: ShareMode = 'snapshot';
}

export class ShareResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: SHARE_MODES }) mode!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Snapshot links: messages up to this time' })
  snapshotAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(s: SessionShare): ShareResponseDto {
    return { id: s.id, mode: s.mode, snapshotAt: s.snapshotAt?.toISOString() ?? null, createdAt: s.createdAt.toISOString() };
  }
}

export class CreatedShareDto extends ShareResponseDto {
  @ApiProperty({ description: 'Shown once: only its hash is stored' }) token!: string;
  @ApiProperty({ example: 'http://localhost:3000/api/v1/shared/3q2-...' }) url!: string;
}

export class ShareListDto {
  @ApiProperty({ type: [ShareResponseDto], description: 'Active (not revoked) links, newest first; tokens are never shown again' })
  data!: ShareResponseDto[];
}

export class SharedMessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['user', 'assistant'] }) role!: string;
  @ApiProperty({ type: [ContentPartDto] }) contentParts!: ContentPart[];
  @ApiProperty() content!: string;
  @ApiProperty({ type: String, nullable: true }) model!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class SharedConversationDto {
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({ enum: SHARE_MODES }) mode!: string;
  @ApiProperty({ type: [SharedMessageDto], description: 'The shared branch, root to leaf' }) messages!: SharedMessageDto[];
}
