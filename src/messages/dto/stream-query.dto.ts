import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';

export class StreamQueryDto {
  @ApiPropertyOptional({ minimum: 0, description: 'Resume after this seq (for clients that cannot send Last-Event-ID)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  lastEventId?: number;
}
