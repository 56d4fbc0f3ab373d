import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../common/auth/principal.js';
import { AppConfig } from '../config/app-config.js';
import { ProviderError, ProviderErrorCode } from '../providers/provider-error.js';
import type { ChatTurnRequest, ProviderEvent, Usage } from '../providers/provider.types.js';
import { type ModelRoute, ProvidersService, type RoutedEvent } from '../providers/providers.service.js';
import type { UsageStatus } from '../usage/entities/usage-record.entity.js';
import { UsageRecordsService } from '../usage/usage-records.service.js';
import { estimateUsage } from '../messages/generation/usage-estimate.js';
import { ChunkBuilder, type CompletionMeta, CompletionAccumulator } from './chat-chunks.js';
import { toChatTurn, toStop, toToolChoice, toToolDefinitions } from './chat-mapping.js';
import { CompatModelsService } from './compat-models.service.js';
import { CompatSse } from './compat-sse.js';
import type { ChatCompletionRequestDto } from './dto/chat-completion.dto.js';
import { toOpenAIError } from './openai-error.js';

interface Call {
  principal: Principal;
  route: ModelRoute;
  // The request as sent upstream, for a usage estimate.
  turn: Omit<ChatTurnRequest, 'model' | 'signal'>;
  meta: CompletionMeta;
  controller: AbortController;
  reply: FastifyReply;
  request: FastifyRequest;
}

// POST /v1/chat/completions: stateless. Nothing is stored but a usage record; the client
// going away aborts the upstream request.
@Injectable()
export class ChatCompletionsService {
  constructor(
    @Inject(ProvidersService) private readonly providers: ProvidersService,
    @Inject(CompatModelsService) private readonly models: CompatModelsService,
    @Inject(UsageRecordsService) private readonly usage: UsageRecordsService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async create(principal: Principal, body: ChatCompletionRequestDto, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const route = this.models.route(body.model);
    const turn = this.toTurnRequest(body);
    const controller = new AbortController();
    // The response's close, not the request's: a request "closes" once its body is read.
    const onClose = () => {
      if (!reply.raw.writableFinished) controller.abort();
    };
    reply.raw.on('close', onClose);
    const call: Call = {
      principal,
      route,
      turn,
      meta: { id: `chatcmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: `${route.provider}/${route.model}` },
      controller,
      reply,
      request,
    };
    // No fallbacks: the caller named a model, and the response says which one answered.
    const events = this.providers.stream(principal.userId, { ...route, fallbacks: [] }, { ...turn, signal: controller.signal });
    try {
      if (body.stream) await this.stream(call, events, body.stream_options?.include_usage === true);
      else await this.complete(call, events);
    } finally {
      reply.raw.off('close', onClose);
    }
  }

  private toTurnRequest(body: ChatCompletionRequestDto): Omit<ChatTurnRequest, 'model' | 'signal'> {
    const { system, messages } = toChatTurn(body.messages);
    const tools = toToolDefinitions(body.tools);
    const toolChoice = toToolChoice(body.tool_choice, tools);
    const stop = toStop(body.stop);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    return {
      ...(system !== undefined ? { system } : {}),
      messages,
      ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(tools ? { tools } : {}),
      ...(tools && toolChoice ? { toolChoice } : {}),
      ...(stop ? { stop } : {}),
    };
  }

  private async complete(call: Call, events: AsyncIterable<RoutedEvent>): Promise<void> {
    const reply = new CompletionAccumulator();
    try {
      for await (const e of events) if (e.type !== 'route') reply.apply(e);
      if (call.controller.signal.aborted) throw new ProviderError(call.route.provider, ProviderErrorCode.Aborted, 'The request was aborted');
    } catch (err) {
      await this.record(call, this.failureStatus(call, err), reply);
      throw err;
    }
    void call.reply.status(200).send(reply.toCompletion(call.meta, this.usageOf(call, reply).usage));
    await this.record(call, 'completed', reply);
  }

  private async stream(call: Call, events: AsyncIterable<RoutedEvent>, includeUsage: boolean): Promise<void> {
    const reply = new CompletionAccumulator();
    const iterator = events[Symbol.asyncIterator]();
    // Until the first event nothing is sent, so a failure before it (unknown model, vendor 429
    // after retries) still gets its HTTP status.
    let first: IteratorResult<RoutedEvent>;
    try {
      do first = await iterator.next();
      while (!first.done && first.value.type === 'route');
    } catch (err) {
      await this.record(call, this.failureStatus(call, err), reply);
      throw err;
    }
    const sse = new CompatSse(call.reply, this.config.streaming.heartbeatMs);
    const chunks = new ChunkBuilder(call.meta, includeUsage);
    let status: UsageStatus = 'completed';
    try {
      await sse.data(chunks.first());
      let next = first;
      while (!next.done) {
        if (next.value.type !== 'route') await this.send(sse, chunks, reply, next.value);
        next = await iterator.next();
      }
      if (call.controller.signal.aborted) {
        status = 'cancelled';
      } else {
        await sse.data(chunks.finish(reply.finishReason));
        if (includeUsage) await sse.data(chunks.usage(this.usageOf(call, reply).usage));
        await sse.done();
      }
    } catch (err) {
      status = this.failureStatus(call, err);
      // Headers are gone: the error becomes the stream's last line, as OpenAI sends it.
      if (status === 'error') await sse.data(toOpenAIError(err, call.request).body);
      sse.end();
    }
    await this.record(call, status, reply);
  }

  private async send(sse: CompatSse, chunks: ChunkBuilder, reply: CompletionAccumulator, event: ProviderEvent): Promise<void> {
    reply.apply(event);
    const chunk = chunks.fromEvent(event);
    if (chunk) await sse.data(chunk);
  }

  private failureStatus(call: Call, err: unknown): UsageStatus {
    const aborted = call.controller.signal.aborted || (err instanceof ProviderError && err.code === ProviderErrorCode.Aborted);
    return aborted ? 'cancelled' : 'error';
  }

  // Without the vendor's count, a call that got output has estimated counts (a call abandoned
  // mid-stream is billed by the vendor all the same); one that got none has zeros. The client's
  // `usage` and the usage record say the same numbers.
  private usageOf(call: Call, reply: CompletionAccumulator): { usage: Usage | undefined; estimated: boolean } {
    const estimated = reply.usage === undefined && (reply.output !== '' || reply.reasoning !== '');
    const usage = estimated ? estimateUsage(call.turn.system, call.turn.messages, { output: reply.output, reasoning: reply.reasoning }) : reply.usage;
    return { usage, estimated };
  }

  private record(call: Call, status: UsageStatus, reply: CompletionAccumulator): Promise<void> {
    const { usage, estimated } = this.usageOf(call, reply);
    return this.usage.record({
      userId: call.principal.userId,
      apiKeyId: call.principal.apiKeyId,
      source: 'openai-compat.chat',
      provider: call.route.provider,
      model: call.route.model,
      usage,
      estimated,
      status,
    });
  }
}
