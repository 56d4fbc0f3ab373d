import Anthropic from '@anthropic-ai/sdk';
import type { ContentBlockParam, MessageParam, RawMessageStreamEvent, ToolChoice as AnthropicToolChoice } from '@anthropic-ai/sdk/resources/messages/messages';
import { toProviderError } from '../provider-error.js';
import type { ChatProvider, ChatTurnRequest, FinishReason, ModelInfo, ProviderEvent, ToolChoice, Usage } from '../provider.types.js';
import { type AdapterOptions, throwIfAborted, linkedController, parseArguments, textOf } from './adapter-options.js';

// Anthropic requires max_tokens on every request.
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

const FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

type ImageMime = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';

export function toAnthropicToolChoice(choice: ToolChoice): AnthropicToolChoice {
  if (choice === 'auto' || choice === 'none') return { type: choice };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.name };
}

export function toAnthropicMessages(request: Pick<ChatTurnRequest, 'messages'>): MessageParam[] {
  const out: { role: 'user' | 'assistant'; content: ContentBlockParam[] }[] = [];
  for (const message of request.messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = message.parts.flatMap((p): ContentBlockParam[] => {
      switch (p.type) {
        case 'text':
          return p.text ? [{ type: 'text', text: p.text }] : [];
        case 'file':
          return [{ type: 'text', text: textOf([p]) }];
        case 'image':
          return p.data ? [{ type: 'image', source: { type: 'base64', media_type: p.mimeType as ImageMime, data: p.data } }] : [];
        case 'tool-call':
          return [{ type: 'tool_use', id: p.toolCallId, name: p.name, input: parseArguments(p.arguments) }];
        case 'tool-result':
          return [{ type: 'tool_result', tool_use_id: p.toolCallId, content: p.result }];
        case 'reasoning':
          // Replaying thinking needs the vendor's signature, which we do not keep.
          return [];
      }
    });
    if (blocks.length === 0) continue;
    // Consecutive turns of one role (tool results after a user message) merge into one.
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  return out;
}

export class AnthropicAdapter implements ChatProvider {
  readonly kind = 'anthropic' as const;
  readonly id: string;
  private readonly client: Anthropic;

  constructor(private readonly options: AdapterOptions) {
    this.id = options.id;
    // authToken: null so ANTHROPIC_AUTH_TOKEN from the environment is never sent along.
    this.client = new Anthropic({
      apiKey: options.apiKey ?? 'no-key',
      authToken: null,
      baseURL: options.baseUrl ?? 'https://api.anthropic.com',
      maxRetries: 0,
      timeout: options.timeoutMs,
      fetch: options.fetch,
    });
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    try {
      const page = await this.client.models.list({ limit: 100 }, { signal });
      return page.data.map((m) => ({ id: m.id }));
    } catch (err) {
      throw toProviderError(this.id, err, { signal, secrets: [this.options.apiKey] });
    }
  }

  async *streamChat(request: ChatTurnRequest): AsyncGenerator<ProviderEvent> {
    const link = linkedController(request.signal);
    try {
      const stream = await this.client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
          messages: toAnthropicMessages(request),
          stream: true,
          ...(request.system ? { system: request.system } : {}),
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.tools?.length
            ? {
                tools: request.tools.map((t) => ({
                  name: t.name,
                  description: t.description,
                  input_schema: { type: 'object' as const, ...t.parameters },
                })),
                ...(request.toolChoice ? { tool_choice: toAnthropicToolChoice(request.toolChoice) } : {}),
              }
            : {}),
          ...(request.stop?.length ? { stop_sequences: request.stop } : {}),
        },
        { signal: link.controller.signal },
      );
      yield* this.events(stream, request.signal);
    } catch (err) {
      throw toProviderError(this.id, err, { signal: request.signal, secrets: [this.options.apiKey] });
    } finally {
      link.dispose();
    }
  }

  private async *events(stream: AsyncIterable<RawMessageStreamEvent>, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
    const usage: Usage = { inputTokens: 0, outputTokens: 0, reasoningTokens: 0 };
    let sawUsage = false;
    let finish: FinishReason = 'stop';
    // Content block index → tool-call index (tool calls are numbered among themselves).
    const toolIndex = new Map<number, number>();
    for await (const event of stream) {
      switch (event.type) {
        case 'message_start': {
          // Compatible servers may omit usage, so both usage reads are defensive.
          const u = event.message.usage as typeof event.message.usage | undefined;
          if (!u) break;
          usage.inputTokens = (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
          usage.outputTokens = u.output_tokens ?? 0;
          sawUsage = true;
          break;
        }
        case 'content_block_start':
          if (event.content_block.type === 'tool_use') {
            const index = toolIndex.size;
            toolIndex.set(event.index, index);
            yield { type: 'tool-call', index, id: event.content_block.id, name: event.content_block.name, argumentsDelta: '' };
          }
          break;
        case 'content_block_delta': {
          const d = event.delta;
          if (d.type === 'text_delta') yield { type: 'text', delta: d.text };
          else if (d.type === 'thinking_delta') yield { type: 'reasoning', delta: d.thinking };
          else if (d.type === 'input_json_delta' && toolIndex.has(event.index)) {
            yield { type: 'tool-call', index: toolIndex.get(event.index)!, argumentsDelta: d.partial_json };
          }
          break;
        }
        case 'message_delta': {
          // message_delta carries cumulative counts.
          const u = event.usage as typeof event.usage | undefined;
          if (event.delta.stop_reason) finish = FINISH[event.delta.stop_reason] ?? 'other';
          if (!u) break;
          if (u.input_tokens !== null && u.input_tokens !== undefined) {
            usage.inputTokens = u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
          }
          usage.outputTokens = u.output_tokens ?? usage.outputTokens;
          usage.reasoningTokens = u.output_tokens_details?.thinking_tokens ?? usage.reasoningTokens;
          sawUsage = true;
          break;
        }
        case 'content_block_stop':
        case 'message_stop':
          break;
      }
    }
    throwIfAborted(this.id, signal);
    if (sawUsage) yield { type: 'usage', usage };
    yield { type: 'finish', reason: finish };
  }
}
