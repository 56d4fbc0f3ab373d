import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { PageQueryDto } from '../common/pagination/cursor.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { AdminUsersService } from './admin-users.service.js';
import { AdminUpdateUserDto, UserPageDto } from './dto/admin-user.dto.js';
import { UserResponseDto } from './dto/user.response.dto.js';

@ApiTags('admin')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('admin/users')
export class AdminUsersController {
  constructor(@Inject(AdminUsersService) private readonly adminUsers: AdminUsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users, newest first' })
  @ApiOkResponse({ type: UserPageDto })
  @ApiProblems(400, 401, 403, 429)
  list(@Query() query: PageQueryDto): Promise<UserPageDto> {
    return this.adminUsers.list(query.limit, query.cursor);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's role or deactivate/reactivate them" })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  update(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AdminUpdateUserDto,
  ): Promise<UserResponseDto> {
    return this.adminUsers.update(actor, id, body);
  }
}
