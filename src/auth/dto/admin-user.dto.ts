import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OptionalNotNull } from '../../common/validation/optional-not-null.js';
import { IsBoolean, IsIn } from 'class-validator';
import { ROLES, type Role } from '../../common/auth/principal.js';
import { PageDto } from '../../common/pagination/cursor.js';
import { UserResponseDto } from './user.response.dto.js';

export class AdminUpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES })
  @OptionalNotNull()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'false deactivates: every token and API key of the user stops working at once' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class UserPageDto extends PageDto {
  @ApiProperty({ type: [UserResponseDto] }) data!: UserResponseDto[];
}
