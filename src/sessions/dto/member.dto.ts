import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsUUID, MaxLength, ValidateIf } from 'class-validator';

export class AddMemberDto {
  @ApiPropertyOptional({ description: 'The email of the user to add (or give userId)' })
  @ValidateIf((o: AddMemberDto) => o.userId === undefined)
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  userId?: string;
}

export class MemberResponseDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ enum: ['owner', 'member'] }) role!: 'owner' | 'member';
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null for the owner' }) addedAt!: string | null;
}

export class MemberListDto {
  @ApiProperty({ type: [MemberResponseDto] }) data!: MemberResponseDto[];
}
