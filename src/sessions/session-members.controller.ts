import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { AddMemberDto, MemberListDto, MemberResponseDto } from './dto/member.dto.js';
import { SessionMembersService } from './session-members.service.js';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('sessions/:id/members')
export class SessionMembersController {
  constructor(@Inject(SessionMembersService) private readonly members: SessionMembersService) {}

  @Post()
  @ApiOperation({ summary: 'Add a user to a group session (owner only)' })
  @ApiCreatedResponse({ type: MemberResponseDto })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  add(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AddMemberDto,
  ): Promise<MemberResponseDto> {
    return this.members.add(principal.userId, id, body);
  }

  @Get()
  @ApiOperation({ summary: 'The owner and members of a session' })
  @ApiOkResponse({ type: MemberListDto })
  @ApiProblems(400, 401, 404, 429)
  list(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<MemberListDto> {
    return this.members.list(principal.userId, id);
  }

  @Delete(':userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member (the owner), or leave the session (a member removing themselves)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblems(400, 401, 403, 404, 429)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('userId', new ParseUUIDPipe()) userId: string,
  ): Promise<void> {
    await this.members.remove(principal.userId, id, userId);
  }
}
