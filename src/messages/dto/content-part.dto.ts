import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';

export const INPUT_PART_TYPES = ['text', 'image', 'file'] as const;
export const PART_TYPES = ['text', 'image', 'file', 'reasoning', 'tool-call', 'tool-result'] as const;
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export const MAX_TEXT_CHARS = 100_000;
// Inline images are bounded by the request body limit too.
export const MAX_IMAGE_BASE64_CHARS = 8_000_000;

// A part a user may send: text, an image for vision models (inline base64 or an upload id), or a
// file by upload id.
export class InputContentPartDto {
  @ApiProperty({ enum: INPUT_PART_TYPES })
  @IsIn(INPUT_PART_TYPES)
  type!: (typeof INPUT_PART_TYPES)[number];

  @ApiPropertyOptional({ maxLength: MAX_TEXT_CHARS, description: 'For text parts' })
  @ValidateIf((o: InputContentPartDto) => o.type === 'text')
  @IsString()
  @MaxLength(MAX_TEXT_CHARS)
  text?: string;

  @ApiPropertyOptional({ enum: IMAGE_TYPES, description: 'For inline image parts' })
  @ValidateIf((o: InputContentPartDto) => o.type === 'image' && o.uploadId === undefined)
  @IsIn(IMAGE_TYPES)
  mimeType?: string;

  @ApiPropertyOptional({ description: 'For inline image parts: base64 bytes, no data: prefix' })
  @ValidateIf((o: InputContentPartDto) => o.type === 'image' && o.uploadId === undefined)
  @IsString()
  @MaxLength(MAX_IMAGE_BASE64_CHARS)
  @IsBase64()
  data?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An upload of yours (POST /uploads): an image for vision models, or a file' })
  @ValidateIf((o: InputContentPartDto) => o.type === 'file' || o.uploadId !== undefined)
  @IsUUID()
  uploadId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;
}

// A stored part, as every transport shows it.
export class ContentPartDto {
  @ApiProperty({ enum: PART_TYPES }) type!: string;
  @ApiPropertyOptional() text?: string;
  @ApiPropertyOptional() mimeType?: string;
  @ApiPropertyOptional({ description: 'Inline image bytes (base64)' }) data?: string;
  @ApiPropertyOptional({ format: 'uuid' }) uploadId?: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() toolCallId?: string;
  @ApiPropertyOptional({ description: 'Tool-call arguments (JSON text)' }) arguments?: string;
  @ApiPropertyOptional({ description: 'Tool result (text or JSON text)' }) result?: string;
}
