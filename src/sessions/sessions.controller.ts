import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fresh from 'fresh';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import {
  CreateSessionDto,
  ListSessionsQueryDto,
  SessionPageDto,
  SessionResponseDto,
  UpdateSessionDto,
} from './dto/session.dto.js';
import { SessionListService } from './session-list.service.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('sessions')
export class SessionsController {
  constructor(
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SessionListService) private readonly pages: SessionListService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start a conversation with its generation settings' })
  @ApiCreatedResponse({ type: SessionResponseDto })
  @ApiProblems(400, 401, 403, 429)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateSessionDto): Promise<SessionResponseDto> {
    return this.sessions.create(principal.userId, body);
  }

  @Get()
  @ApiOperation({
    summary: 'List your conversations, newest activity first',
    description:
      'Every page carries a weak ETag that changes with anything the list shows: send it back in If-None-Match to get 304 Not Modified while nothing changed (a cheap way to poll).',
  })
  @ApiOkResponse({ type: SessionPageDto, headers: { ETag: { description: 'Changes with anything this list shows', schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'Not modified since the ETag sent in If-None-Match' })
  @ApiProblems(400, 401, 429)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSessionsQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | undefined> {
    const page = await this.pages.page(principal.userId, query, /no-cache/i.test(request.headers['cache-control'] ?? ''));
    // private: the page is this user's; no-cache: a client revalidates before reusing it.
    void reply.header('etag', page.etag).header('cache-control', 'private, no-cache').header('vary', 'Authorization, X-API-Key');
    if (fresh(request.headers, { etag: page.etag })) {
      void reply.code(304);
      return undefined;
    }
    void reply.type('application/json; charset=utf-8');
    return page.body;
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
