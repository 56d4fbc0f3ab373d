import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ChatCompletionsService } from './chat-completions.service.js';
import { CompatModelsService } from './compat-models.service.js';
import { ChatCompletionRequestDto } from './dto/chat-completion.dto.js';
import { ChatCompletionResponseDto } from './dto/chat-completion.response.dto.js';
import { EmbeddingsRequestDto, EmbeddingsResponseDto } from './dto/embeddings.dto.js';
import { OpenAIModelDto, OpenAIModelListDto } from './dto/models.dto.js';
import { ApiOpenAIErrors, OpenAIErrorResponseDto } from './dto/openai-error.dto.js';
import { EmbeddingsService } from './embeddings.service.js';
import { OpenAIErrorFilter } from './openai-error.filter.js';

// The OpenAI-compatible API at /v1 (outside /api/v1): OpenAI SDKs and tools work unchanged.
@ApiTags('openai-compat')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiExtraModels(OpenAIErrorResponseDto, ChatCompletionResponseDto)
@UseFilters(OpenAIErrorFilter)
@Controller('v1')
export class OpenAICompatController {
  constructor(
    @Inject(ChatCompletionsService) private readonly chat: ChatCompletionsService,
    @Inject(EmbeddingsService) private readonly embeddings: EmbeddingsService,
    @Inject(CompatModelsService) private readonly models: CompatModelsService,
  ) {}

  @Post('chat/completions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a chat completion (OpenAI-compatible); with stream: true, chat.completion.chunk events then [DONE]' })
  @ApiOkResponse({
    description: 'A chat.completion, or with stream: true Server-Sent Events of chat.completion.chunk objects ending with data: [DONE]',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ChatCompletionResponseDto) } },
      'text/event-stream': { schema: { type: 'string', example: 'data: {"object":"chat.completion.chunk",...}\n\ndata: [DONE]\n\n' } },
    },
  })
  @ApiOpenAIErrors(400, 401, 403, 404, 429, 502)
  completions(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChatCompletionRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.chat.create(principal, body, request, reply);
  }

  @Get('models')
  @ApiOperation({ summary: 'List the models you can use, as "provider/model" ids (OpenAI-compatible)' })
  @ApiOkResponse({ type: OpenAIModelListDto })
  @ApiOpenAIErrors(401, 403, 429)
  listModels(@CurrentPrincipal() principal: Principal): Promise<OpenAIModelListDto> {
    return this.models.list(principal.userId);
  }

  @Get('models/:model')
  @ApiOperation({ summary: 'One model you can use (OpenAI-compatible); the id is "provider/model", URL-encoded' })
  @ApiParam({ name: 'model', example: 'openai%2Fgpt-4o-mini' })
  @ApiOkResponse({ type: OpenAIModelDto })
  @ApiOpenAIErrors(401, 403, 404, 429)
  getModel(@CurrentPrincipal() principal: Principal, @Param('model') model: string): Promise<OpenAIModelDto> {
    return this.models.get(principal.userId, model);
  }

  @Post('embeddings')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create embeddings (OpenAI-compatible); float arrays or base64 float32' })
  @ApiOkResponse({ type: EmbeddingsResponseDto })
  @ApiOpenAIErrors(400, 401, 403, 404, 429, 502)
  createEmbeddings(@CurrentPrincipal() principal: Principal, @Body() body: EmbeddingsRequestDto, @Res() reply: FastifyReply): Promise<void> {
    return this.embeddings.create(principal, body, reply);
  }
}
