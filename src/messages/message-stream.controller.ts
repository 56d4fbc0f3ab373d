import { Controller, Get, Headers, Inject, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { StreamQueryDto } from './dto/stream-query.dto.js';
import { parseLastEventId } from './request-headers.js';
import { MessageTreeService } from './message-tree.service.js';
import { MessageSseService } from './sse/message-sse.service.js';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class MessageStreamController {
  constructor(
    @Inject(MessageTreeService) private readonly tree: MessageTreeService,
    @Inject(MessageSseService) private readonly sse: MessageSseService,
  ) {}

  @Get(':id/stream')
  @ApiOperation({
    summary: 'Follow a reply as Server-Sent Events, resuming after Last-Event-ID',
    description:
      'Events: message.citations (sessions with knowledge bases) / message.delta / message.reasoning / message.tool_call {messageId, seq, ...}, then message.completed ' +
      '{message} or message.error {messageId, error, message}. A finished message sends only its final event.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The last seq received' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream', schema: { type: 'string' } })
  @ApiProblems(400, 401, 404, 429)
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const afterSeq = parseLastEventId(lastEventId, query.lastEventId);
    const message = await this.tree.requireMessage(principal.userId, id);
    await this.sse.resume(reply, message, afterSeq);
  }
}
