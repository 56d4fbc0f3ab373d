import { type Content, FunctionCallingConfigMode, type GenerateContentResponse, GoogleGenAI, type Part, type ToolConfig } from '@google/genai';
import { toProviderError } from '../provider-error.js';
import type { ChatProvider, ChatTurnRequest, EmbedRequest, EmbedResult, FinishReason, ModelInfo, ProviderEvent, ToolChoice, Usage } from '../provider.types.js';
import { type AdapterOptions, throwIfAborted, linkedController, parseArguments, textOf, toolNames } from './adapter-options.js';
import { withHeadersTimeout } from './headers-timeout.js';

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

// Thought summaries are only sent when asked for, and only thinking models accept the request.
const THINKING_MODEL = /gemini-(2\.5|[3-9])|thinking/;

export function toGeminiToolConfig(choice: ToolChoice): ToolConfig {
  if (choice === 'auto') return { functionCallingConfig: { mode: FunctionCallingConfigMode.AUTO } };
  if (choice === 'none') return { functionCallingConfig: { mode: FunctionCallingConfigMode.NONE } };
  if (choice === 'required') return { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } };
  return { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: [choice.name] } };
}

// Gemini reports no token count for embeddings: about four characters a token.
const estimateTokens = (inputs: readonly string[]) => inputs.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);

export function toGeminiContents(request: Pick<ChatTurnRequest, 'messages'>): Content[] {
  const names = toolNames(request.messages);
  const out: Content[] = [];
  for (const message of request.messages) {
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts = message.parts.flatMap((p): Part[] => {
      switch (p.type) {
        case 'text':
        case 'file': {
          const text = textOf([p]);
          return text ? [{ text }] : [];
        }
        case 'image':
          return p.data ? [{ inlineData: { mimeType: p.mimeType, data: p.data } }] : [];
        case 'tool-call':
          return [{ functionCall: { id: p.toolCallId, name: p.name, args: parseArguments(p.arguments) } }];
        case 'tool-result':
          return [{ functionResponse: { id: p.toolCallId, name: p.name ?? names.get(p.toolCallId) ?? 'tool', response: { result: p.result } } }];
        case 'reasoning':
          return [];
      }
    });
    if (parts.length === 0) continue;
    const last = out.at(-1);
    if (last?.role === role) last.parts!.push(...parts);
    else out.push({ role, parts });
  }
  return out;
}

export class GoogleAdapter implements ChatProvider {
  readonly kind = 'google' as const;
  readonly id: string;
  private readonly client: GoogleGenAI;

  constructor(private readonly options: AdapterOptions) {
    this.id = options.id;
    // Not the SDK's timeout: it stays armed while the body streams, which would cut long
    // replies; ours ends with the response headers. No retryOptions: the SDK then makes a
    // single attempt (we retry ourselves).
    this.client = new GoogleGenAI({
      apiKey: options.apiKey ?? 'no-key',
      httpOptions: {
        ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
        fetch: withHeadersTimeout(options.fetch ?? globalThis.fetch, options.timeoutMs),
      },
    });
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    try {
      const pager = await this.client.models.list({ config: { pageSize: 100, abortSignal: signal } });
      return pager.page
        .filter((m) => !m.supportedActions || m.supportedActions.includes('generateContent'))
        .map((m) => ({ id: (m.name ?? '').replace(/^models\//, ''), contextWindow: m.inputTokenLimit }))
        .filter((m) => m.id.length > 0);
    } catch (err) {
      throw toProviderError(this.id, err, { signal, secrets: [this.options.apiKey] });
    }
  }

  async embed(request: EmbedRequest): Promise<EmbedResult> {
    try {
      const response = await this.client.models.embedContent({
        model: request.model,
        contents: request.inputs,
        config: { abortSignal: request.signal, ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}) },
      });
      return { vectors: (response.embeddings ?? []).map((e) => e.values ?? []), inputTokens: estimateTokens(request.inputs) };
    } catch (err) {
      throw toProviderError(this.id, err, { signal: request.signal, secrets: [this.options.apiKey] });
    }
  }

  async *streamChat(request: ChatTurnRequest): AsyncGenerator<ProviderEvent> {
    const link = linkedController(request.signal);
    try {
      const stream = await this.client.models.generateContentStream({
        model: request.model,
        contents: toGeminiContents(request),
        config: {
          abortSignal: link.controller.signal,
          ...(request.system ? { systemInstruction: request.system } : {}),
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.maxTokens !== undefined ? { maxOutputTokens: request.maxTokens } : {}),
          ...(THINKING_MODEL.test(request.model) ? { thinkingConfig: { includeThoughts: true } } : {}),
          ...(request.tools?.length
            ? {
                tools: [
                  {
                    functionDeclarations: request.tools.map((t) => ({
                      name: t.name,
                      description: t.description,
                      parametersJsonSchema: t.parameters,
                    })),
                  },
                ],
                ...(request.toolChoice ? { toolConfig: toGeminiToolConfig(request.toolChoice) } : {}),
              }
            : {}),
          ...(request.stop?.length ? { stopSequences: request.stop } : {}),
        },
      });
      yield* this.events(stream, request.signal);
    } catch (err) {
      throw toProviderError(this.id, err, { signal: request.signal, secrets: [this.options.apiKey] });
    } finally {
      link.dispose();
    }
  }

  private async *events(stream: AsyncIterable<GenerateContentResponse>, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
    let usage: Usage | undefined;
    let finish: FinishReason | undefined;
    let calls = 0;
    for await (const chunk of stream) {
      const meta = chunk.usageMetadata;
      if (meta) {
        // Gemini counts thoughts apart from candidates; both are billed as output.
        const thoughts = meta.thoughtsTokenCount ?? 0;
        usage = { inputTokens: meta.promptTokenCount ?? 0, outputTokens: (meta.candidatesTokenCount ?? 0) + thoughts, reasoningTokens: thoughts };
      }
      const candidate = chunk.candidates?.[0];
      for (const part of candidate?.content?.parts ?? []) {
        if (part.functionCall) {
          const index = calls++;
          yield {
            type: 'tool-call',
            index,
            id: part.functionCall.id ?? `call_${index}`,
            name: part.functionCall.name ?? '',
            argumentsDelta: JSON.stringify(part.functionCall.args ?? {}),
          };
        } else if (part.text) {
          yield { type: part.thought ? 'reasoning' : 'text', delta: part.text };
        }
      }
      const reason = candidate?.finishReason as string | undefined;
      if (reason) {
        if (reason === 'STOP') finish = 'stop';
        else if (reason === 'MAX_TOKENS') finish = 'length';
        else if (FILTERED.has(reason)) finish = 'content_filter';
        else finish = 'other';
      }
    }
    throwIfAborted(this.id, signal);
    if (usage) yield { type: 'usage', usage };
    yield { type: 'finish', reason: calls > 0 && (finish ?? 'stop') === 'stop' ? 'tool_calls' : (finish ?? 'stop') };
  }
}
