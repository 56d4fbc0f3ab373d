import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { CreatedShareDto, CreateShareDto, SharedConversationDto, ShareListDto } from './dto/sharing.dto.js';
import { SharingService } from './sharing.service.js';

@ApiTags('sharing')
@Controller()
export class SharingController {
  constructor(@Inject(SharingService) private readonly sharing: SharingService) {}

  @Post('sessions/:id/share')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Create a public read-only link to a conversation (snapshot or live)' })
  @ApiCreatedResponse({ type: CreatedShareDto })
  @ApiProblems(400, 401, 403, 404, 429)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CreateShareDto,
  ): Promise<CreatedShareDto> {
    return this.sharing.create(principal.userId, id, body);
  }

  @Get('sessions/:id/share')
  @ApiBearerAuth()
  @ApiOperation({ summary: "List a conversation's active share links (without their tokens)" })
  @ApiOkResponse({ type: ShareListDto })
  @ApiProblems(400, 401, 403, 404, 429)
  list(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<ShareListDto> {
    return this.sharing.list(principal.userId, id);
  }

  @Delete('sessions/:id/share')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: "Revoke all of a conversation's share links" })
  @ApiNoContentResponse({ description: 'Revoked (also when there was none)' })
  @ApiProblems(400, 401, 403, 404, 429)
  async revokeAll(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.sharing.revoke(principal.userId, id, null);
  }

  @Delete('sessions/:id/share/:shareId')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke one share link' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems(400, 401, 403, 404, 429)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('shareId', new ParseUUIDPipe()) shareId: string,
  ): Promise<void> {
    await this.sharing.revoke(principal.userId, id, shareId);
  }

  @Get('shared/:token')
  @Public()
  @ApiOperation({ summary: 'Read a shared conversation (no authentication; rate-limited per IP)' })
  @ApiOkResponse({ type: SharedConversationDto })
  @ApiProblems(404, 429)
  view(@Param('token') token: string): Promise<SharedConversationDto> {
    return this.sharing.view(token);
  }
}
