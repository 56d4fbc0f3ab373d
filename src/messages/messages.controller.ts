import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import {
  BranchQueryDto,
  EditMessageDto,
  ExchangeResponseDto,
  MessageBranchDto,
  MessageResponseDto,
  ReplyResponseDto,
  SendMessageDto,
} from './dto/message.dto.js';
import { parseIdempotencyKey } from './request-headers.js';
import { type Exchange, MessageSendService } from './message-send.service.js';
import { MessageTreeService } from './message-tree.service.js';
import { MessageSseService } from './sse/message-sse.service.js';

const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first result' };
const SSE_NOTE = 'With Accept: text/event-stream the response is the reply as SSE (200): message.created, then its events.';

@ApiTags('messages')
@ApiBearerAuth()
@Controller()
export class MessagesController {
  constructor(
    @Inject(MessageSendService) private readonly send: MessageSendService,
    @Inject(MessageTreeService) private readonly tree: MessageTreeService,
    @Inject(MessageSseService) private readonly sse: MessageSseService,
  ) {}

  @Get('sessions/:id/messages')
  @ApiOperation({ summary: 'The current branch of a conversation, root to leaf, with sibling ids' })
  @ApiOkResponse({ type: MessageBranchDto })
  @ApiProblems(400, 401, 404, 429)
  branch(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: BranchQueryDto,
  ): Promise<MessageBranchDto> {
    return this.tree.branch(principal.userId, id, query.limit, query.cursor);
  }

  @Post('sessions/:id/messages')
  @ApiOperation({ summary: 'Send a message; the reply generates server-side', description: SSE_NOTE })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiAcceptedResponse({ type: ExchangeResponseDto })
  @ApiProblems(400, 401, 403, 404, 409, 422, 429, 503)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: SendMessageDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const exchange = await this.send.send(principal.userId, id, body, parseIdempotencyKey(idempotencyKey));
    await this.respond(reply, accept, principal.userId, exchange);
  }

  @Get('messages/:id')
  @ApiOperation({ summary: 'Get a message (a reply shows its text so far while streaming)' })
  @ApiOkResponse({ type: MessageResponseDto })
  @ApiProblems(400, 401, 404, 429)
  get(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<MessageResponseDto> {
    return this.tree.get(principal.userId, id);
  }

  @Patch('messages/:id')
  @ApiOperation({ summary: 'Edit a user message: a new sibling with the new content, and a new reply', description: SSE_NOTE })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiAcceptedResponse({ type: ExchangeResponseDto })
  @ApiProblems(400, 401, 403, 404, 409, 422, 429, 503)
  async edit(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: EditMessageDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.respond(reply, accept, principal.userId, await this.send.edit(principal.userId, id, body, parseIdempotencyKey(idempotencyKey)));
  }

  @Post('messages/:id/regenerate')
  @ApiOperation({ summary: 'Generate a new reply as a sibling of this one (or to this user message)', description: SSE_NOTE })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiAcceptedResponse({ type: ReplyResponseDto })
  @ApiProblems(400, 401, 403, 404, 409, 422, 429, 503)
  async regenerate(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.respond(reply, accept, principal.userId, await this.send.regenerate(principal.userId, id, parseIdempotencyKey(idempotencyKey)));
  }

  @Post('messages/:id/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop a reply that is generating; its text so far is kept' })
  @ApiOkResponse({ type: MessageResponseDto })
  @ApiProblems(400, 401, 403, 404, 429)
  stop(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<MessageResponseDto> {
    return this.tree.stop(principal.userId, id);
  }

  @Post('messages/:id/select')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show the branch through this message (its newest leaf becomes current)' })
  @ApiOkResponse({ type: MessageBranchDto })
  @ApiProblems(400, 401, 403, 404, 429)
  select(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: BranchQueryDto,
  ): Promise<MessageBranchDto> {
    return this.tree.select(principal.userId, id, query.limit);
  }

  @Delete('messages/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a message and every message under it' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 429)
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.tree.delete(principal.userId, id);
  }

  private async respond(reply: FastifyReply, accept: string | undefined, userId: string, exchange: Exchange): Promise<void> {
    if (accept?.includes('text/event-stream')) return this.sse.exchange(reply, exchange, userId);
    await reply.code(202).send(exchange);
  }
}
