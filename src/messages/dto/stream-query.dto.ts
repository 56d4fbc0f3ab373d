import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_SEQ } from '../../streaming/stream-event.js';

export class StreamQueryDto {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_SEQ, description: 'Resume after this seq (for clients that cannot send Last-Event-ID)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  lastEventId?: number;
}
