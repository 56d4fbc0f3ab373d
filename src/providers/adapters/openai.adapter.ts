import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import { toProviderError } from '../provider-error.js';
import type { ChatProvider, ChatTurnRequest, EmbedRequest, EmbedResult, FinishReason, ModelInfo, ProviderEvent, ProviderKind, ToolChoice, Usage } from '../provider.types.js';
import { type AdapterOptions, throwIfAborted, hasImages, linkedController, textOf } from './adapter-options.js';
import { chatCompletionChunks } from './openai-chunks.js';

type Delta = ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null; reasoning?: string | null };

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

export function toOpenAIToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

export function toOpenAIMessages(request: Pick<ChatTurnRequest, 'system' | 'messages'>): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = request.system ? [{ role: 'system', content: request.system }] : [];
  for (const message of request.messages) {
    for (const part of message.parts) {
      if (part.type === 'tool-result') out.push({ role: 'tool', tool_call_id: part.toolCallId, content: part.result });
    }
    if (message.role === 'user') {
      if (!hasImages(message.parts)) {
        out.push({ role: 'user', content: textOf(message.parts) });
        continue;
      }
      const content: ChatCompletionContentPart[] = message.parts.flatMap((p): ChatCompletionContentPart[] => {
        if (p.type === 'image') return p.data ? [{ type: 'image_url', image_url: { url: `data:${p.mimeType};base64,${p.data}` } }] : [];
        const text = textOf([p]);
        return text ? [{ type: 'text', text }] : [];
      });
      out.push({ role: 'user', content });
    } else if (message.role === 'assistant') {
      const calls = message.parts.flatMap((p) =>
        p.type === 'tool-call' ? [{ id: p.toolCallId, type: 'function' as const, function: { name: p.name, arguments: p.arguments } }] : [],
      );
      out.push({ role: 'assistant', content: textOf(message.parts) || null, ...(calls.length ? { tool_calls: calls } : {}) });
    }
  }
  return out;
}

// OpenAI, and any endpoint speaking its chat completions API (Ollama, vLLM, OpenRouter...).
export class OpenAIAdapter implements ChatProvider {
  readonly id: string;
  private readonly client: OpenAI;

  constructor(
    readonly kind: Extract<ProviderKind, 'openai' | 'openai-compatible'>,
    private readonly options: AdapterOptions,
  ) {
    this.id = options.id;
    // Always an explicit key: otherwise the SDK would read OPENAI_API_KEY from the environment
    // and could send the server's key to another endpoint. Keyless local servers ignore it.
    this.client = new OpenAI({
      apiKey: options.apiKey ?? 'no-key',
      baseURL: options.baseUrl ?? 'https://api.openai.com/v1',
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: options.timeoutMs,
      fetch: options.fetch,
    });
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    try {
      const page = await this.client.models.list({ signal });
      return page.data.map((m) => ({ id: m.id }));
    } catch (err) {
      throw toProviderError(this.id, err, { signal, secrets: [this.options.apiKey] });
    }
  }

  // The SDK asks for base64 and decodes it itself when no encoding_format is given.
  async embed(request: EmbedRequest): Promise<EmbedResult> {
    try {
      const response = await this.client.embeddings.create(
        { model: request.model, input: request.inputs, ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}) },
        { signal: request.signal },
      );
      const vectors = [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      return { vectors, inputTokens: response.usage?.prompt_tokens ?? 0 };
    } catch (err) {
      throw toProviderError(this.id, err, { signal: request.signal, secrets: [this.options.apiKey] });
    }
  }

  async *streamChat(request: ChatTurnRequest): AsyncGenerator<ProviderEvent> {
    const link = linkedController(request.signal);
    try {
      // The SDK builds, sends and checks the request; the body's events are decoded by
      // chatCompletionChunks (which says why).
      const response = await this.client.chat.completions
        .create(this.streamingRequest(request), { signal: link.controller.signal })
        .asResponse();
      let finish: FinishReason | undefined;
      let usage: Usage | undefined;
      for await (const chunk of chatCompletionChunks(response)) {
        if (chunk.usage) {
          usage = {
            inputTokens: chunk.usage.prompt_tokens ?? 0,
            outputTokens: chunk.usage.completion_tokens ?? 0,
            reasoningTokens: chunk.usage.completion_tokens_details?.reasoning_tokens ?? 0,
          };
        }
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = (choice.delta ?? {}) as Delta;
        const reasoning = delta.reasoning_content ?? delta.reasoning;
        if (reasoning) yield { type: 'reasoning', delta: reasoning };
        if (delta.content) yield { type: 'text', delta: delta.content };
        for (const call of delta.tool_calls ?? []) {
          yield {
            type: 'tool-call',
            index: call.index,
            ...(call.id ? { id: call.id } : {}),
            ...(call.function?.name ? { name: call.function.name } : {}),
            argumentsDelta: call.function?.arguments ?? '',
          };
        }
        if (choice.finish_reason) finish = FINISH[choice.finish_reason] ?? 'other';
      }
      throwIfAborted(this.id, request.signal);
      if (usage) yield { type: 'usage', usage };
      yield { type: 'finish', reason: finish ?? 'stop' };
    } catch (err) {
      throw toProviderError(this.id, err, { signal: request.signal, secrets: [this.options.apiKey] });
    } finally {
      link.dispose();
    }
  }

  private streamingRequest(request: ChatTurnRequest): ChatCompletionCreateParamsStreaming {
    return {
      model: request.model,
      messages: toOpenAIMessages(request),
      stream: true,
      // Compatible servers may ignore this and send no usage; usage is optional in streamChat.
      stream_options: { include_usage: true },
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      // OpenAI wants max_completion_tokens (reasoning models refuse max_tokens); most
      // compatible servers only know max_tokens.
      ...(request.maxTokens !== undefined
        ? this.kind === 'openai'
          ? { max_completion_tokens: request.maxTokens }
          : { max_tokens: request.maxTokens }
        : {}),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((t) => ({
              type: 'function' as const,
              function: { name: t.name, description: t.description, parameters: t.parameters },
            })),
            ...(request.toolChoice ? { tool_choice: toOpenAIToolChoice(request.toolChoice) } : {}),
          }
        : {}),
      ...(request.stop?.length ? { stop: request.stop } : {}),
    };
  }
}
