import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import {
  CreateSessionDto,
  ListSessionsQueryDto,
  SessionPageDto,
  SESSION_PAGE_SCHEMA,
  SessionResponseDto,
  UpdateSessionDto,
} from './dto/session.dto.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('sessions')
export class SessionsController {
  constructor(@Inject(SessionsService) private readonly sessions: SessionsService) {}

  @Post()
  @ApiOperation({ summary: 'Start a conversation with its generation settings' })
  @ApiCreatedResponse({ type: SessionResponseDto })
  @ApiProblems(400, 401, 403, 429)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateSessionDto): Promise<SessionResponseDto> {
    return this.sessions.create(principal.userId, body);
  }

  @Get()
  @ApiOperation({ summary: 'List your conversations, newest activity first' })
  @ApiOkResponse({ type: SessionPageDto })
  @ApiProblems(400, 401, 429)
  @RouteSchema({ response: { 200: SESSION_PAGE_SCHEMA } })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListSessionsQueryDto): Promise<SessionPageDto> {
    return this.sessions.list(principal.userId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a conversation' })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiProblems(400, 401, 404, 429)
  get(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<SessionResponseDto> {
    return this.sessions.get(principal.userId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, change settings, pin, archive, file or tag a conversation' })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiProblems(400, 401, 403, 404, 429)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateSessionDto,
  ): Promise<SessionResponseDto> {
    return this.sessions.update(principal.userId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation and all its messages' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 429)
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.sessions.delete(principal.userId, id);
  }
}
