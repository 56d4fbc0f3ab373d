import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { MAX_SEQ } from '../streaming/stream-event.js';
import { SendMessageDto } from '../messages/dto/message.dto.js';

export const CLIENT_FRAME_TYPES = ['auth', 'subscribe', 'unsubscribe', 'message.send', 'stop', 'resume', 'typing', 'ping'] as const;
export type ClientFrameType = (typeof CLIENT_FRAME_TYPES)[number];

// Every client frame may carry an `id`, echoed on the answer or error it causes.
export class FrameEnvelope {
  @IsIn(CLIENT_FRAME_TYPES, { message: `type must be one of ${CLIENT_FRAME_TYPES.join(', ')}` })
  type!: ClientFrameType;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  id?: string;
}

export class AuthFrame extends FrameEnvelope {
  @IsString()
  @MaxLength(4096)
  token!: string;
}

export class SessionFrame extends FrameEnvelope {
  @IsUUID()
  sessionId!: string;
}

export class SendFrame extends SendMessageDto {
  @IsIn(CLIENT_FRAME_TYPES) type!: ClientFrameType;
  @IsOptional() @IsString() @MaxLength(100) id?: string;
  @IsUUID() sessionId!: string;
}

export class StopFrame extends FrameEnvelope {
  @IsUUID()
  messageId!: string;
}

export class ResumeFrame extends FrameEnvelope {
  @IsUUID()
  messageId!: string;

  // Events with seq >= fromSeq are replayed (1: from the start).
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SEQ)
  fromSeq = 1;
}

export const FRAME_CLASSES = {
  auth: AuthFrame,
  subscribe: SessionFrame,
  unsubscribe: SessionFrame,
  'message.send': SendFrame,
  stop: StopFrame,
  resume: ResumeFrame,
  typing: SessionFrame,
  ping: FrameEnvelope,
} satisfies Record<ClientFrameType, new () => FrameEnvelope>;
