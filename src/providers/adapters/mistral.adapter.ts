import { Mistral } from '@mistralai/mistralai';
import { HTTPClient } from '@mistralai/mistralai/lib/http.js';
import type { ChatCompletionStreamRequestMessage, CompletionEvent, ContentChunk } from '@mistralai/mistralai/models/components';
import { toProviderError } from '../provider-error.js';
import type { ChatProvider, ChatTurnRequest, EmbedRequest, EmbedResult, FinishReason, ModelInfo, ProviderEvent, ToolChoice, Usage } from '../provider.types.js';
import { type AdapterOptions, throwIfAborted, hasImages, linkedController, textOf, toolNames } from './adapter-options.js';
import { withHeadersTimeout } from './headers-timeout.js';

const FINISH: Record<string, FinishReason> = { stop: 'stop', length: 'length', model_length: 'length', tool_calls: 'tool_calls', error: 'error' };

// Mistral calls "required" "any".
export function toMistralToolChoice(choice: ToolChoice): 'auto' | 'none' | 'any' | { type: 'function'; function: { name: string } } {
  if (choice === 'required') return 'any';
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

export function toMistralMessages(request: Pick<ChatTurnRequest, 'system' | 'messages'>): ChatCompletionStreamRequestMessage[] {
  const names = toolNames(request.messages);
  const out: ChatCompletionStreamRequestMessage[] = request.system ? [{ role: 'system', content: request.system }] : [];
  for (const message of request.messages) {
    for (const p of message.parts) {
      if (p.type === 'tool-result') {
        out.push({ role: 'tool', toolCallId: p.toolCallId, name: p.name ?? names.get(p.toolCallId) ?? null, content: p.result });
      }
    }
    if (message.role === 'user') {
      const content: string | ContentChunk[] = hasImages(message.parts)
        ? message.parts.flatMap((p): ContentChunk[] => {
            if (p.type === 'image') return p.data ? [{ type: 'image_url', imageUrl: `data:${p.mimeType};base64,${p.data}` }] : [];
            const text = textOf([p]);
            return text ? [{ type: 'text', text }] : [];
          })
        : textOf(message.parts);
      out.push({ role: 'user', content });
    } else if (message.role === 'assistant') {
      const toolCalls = message.parts.flatMap((p) =>
        p.type === 'tool-call' ? [{ id: p.toolCallId, type: 'function' as const, function: { name: p.name, arguments: p.arguments } }] : [],
      );
      out.push({ role: 'assistant', content: textOf(message.parts), ...(toolCalls.length ? { toolCalls } : {}) });
    }
  }
  return out;
}

// Text and thinking may arrive as a string or as typed chunks (Magistral's "thinking" chunks).
function* contentEvents(content: string | ContentChunk[] | null | undefined): Generator<ProviderEvent> {
  if (typeof content === 'string') {
    if (content) yield { type: 'text', delta: content };
    return;
  }
  for (const chunk of content ?? []) {
    if (chunk.type === 'text' && chunk.text) yield { type: 'text', delta: chunk.text };
    if (chunk.type === 'thinking') {
      for (const t of chunk.thinking) if (t.type === 'text' && t.text) yield { type: 'reasoning', delta: t.text };
    }
  }
}

export class MistralAdapter implements ChatProvider {
  readonly kind = 'mistral' as const;
  readonly id: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: AdapterOptions) {
    this.id = options.id;
    this.fetch = withHeadersTimeout(options.fetch ?? globalThis.fetch, options.timeoutMs);
  }

  // The SDK wraps every call in Requests of its own, whose signals follow ours only through weak
  // references: after a garbage collection an abort would no longer reach the socket and the
  // vendor would go on generating. So each call gets a client whose fetch holds the call's signal.
  // (This also makes the SDK's own timeout moot: it applies only to calls given no signal.)
  private clientFor(signal: AbortSignal): Mistral {
    const fetcher = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = input instanceof Request ? input : new Request(input, init);
      const body = request.body ? await request.text() : undefined;
      return this.fetch(request.url, { method: request.method, headers: request.headers, body, signal });
    };
    return new Mistral({
      apiKey: this.options.apiKey ?? 'no-key',
      ...(this.options.baseUrl ? { serverURL: this.options.baseUrl } : {}),
      retryConfig: { strategy: 'none' },
      httpClient: new HTTPClient({ fetcher }),
    });
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const link = linkedController(signal);
    try {
      const list = await this.clientFor(link.controller.signal).models.list(undefined, { signal: link.controller.signal });
      return (list.data ?? []).flatMap((m) => ('id' in m && typeof m.id === 'string' ? [{ id: m.id }] : []));
    } catch (err) {
      throw toProviderError(this.id, err, { signal, secrets: [this.options.apiKey] });
    } finally {
      link.dispose();
    }
  }

  async embed(request: EmbedRequest): Promise<EmbedResult> {
    const link = linkedController(request.signal);
    try {
      const response = await this.clientFor(link.controller.signal).embeddings.create(
        { model: request.model, inputs: request.inputs, ...(request.dimensions !== undefined ? { outputDimension: request.dimensions } : {}) },
        { signal: link.controller.signal },
      );
      const data = [...response.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      return { vectors: data.map((d) => d.embedding ?? []), inputTokens: response.usage.promptTokens ?? 0 };
    } catch (err) {
      throw toProviderError(this.id, err, { signal: request.signal, secrets: [this.options.apiKey] });
    } finally {
      link.dispose();
    }
  }

  async *streamChat(request: ChatTurnRequest): AsyncGenerator<ProviderEvent> {
    const link = linkedController(request.signal);
    try {
      const stream = await this.clientFor(link.controller.signal).chat.stream(
        {
          model: request.model,
          messages: toMistralMessages(request),
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
          ...(request.tools?.length
            ? {
                tools: request.tools.map((t) => ({
                  type: 'function' as const,
                  function: { name: t.name, description: t.description, parameters: t.parameters },
                })),
                ...(request.toolChoice ? { toolChoice: toMistralToolChoice(request.toolChoice) } : {}),
              }
            : {}),
          ...(request.stop?.length ? { stop: request.stop } : {}),
        },
        { signal: link.controller.signal },
      );
      yield* this.events(stream, request.signal);
    } catch (err) {
      throw toProviderError(this.id, streamedError(err), { signal: request.signal, secrets: [this.options.apiKey] });
    } finally {
      link.dispose();
    }
  }

  private async *events(stream: AsyncIterable<CompletionEvent>, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
    let usage: Usage | undefined;
    let finish: FinishReason | undefined;
    for await (const { data: chunk } of stream) {
      if (chunk.usage) {
        usage = { inputTokens: chunk.usage.promptTokens ?? 0, outputTokens: chunk.usage.completionTokens ?? 0, reasoningTokens: 0 };
      }
      const choice = chunk.choices[0];
      if (!choice) continue;
      yield* contentEvents(choice.delta.content);
      for (const [i, call] of (choice.delta.toolCalls ?? []).entries()) {
        const args = call.function.arguments;
        yield {
          type: 'tool-call',
          index: call.index ?? i,
          ...(call.id ? { id: call.id } : {}),
          ...(call.function.name ? { name: call.function.name } : {}),
          argumentsDelta: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
        };
      }
      if (choice.finishReason) finish = FINISH[choice.finishReason] ?? 'other';
    }
    throwIfAborted(this.id, signal);
    if (usage) yield { type: 'usage', usage };
    yield { type: 'finish', reason: finish ?? 'stop' };
  }
}

// The SDK checks every stream event against its chunk schema and throws the schema library's
// error, without the event, when one does not match: what Mistral sends mid-stream is an error
// event ({"object": "error", ...}). It is reported as the vendor's failure, not as the validator's
// dump of the schema.
function streamedError(err: unknown): unknown {
  if ((err as { name?: unknown } | null)?.name !== 'ZodError') return err;
  return Object.assign(new Error('The vendor ended the stream with an event that is not a completion chunk (an error)'), {
    error: { type: 'server_error' },
    cause: err,
  });
}
