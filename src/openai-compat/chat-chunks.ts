import type { FinishReason, ProviderEvent, Usage } from '../providers/provider.types.js';

// Our normalized provider events → OpenAI chat.completion(.chunk) objects.

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  completion_tokens_details: { reasoning_tokens: number };
}

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string;
  // The field DeepSeek, vLLM and OpenRouter use; OpenAI SDKs pass unknown fields through.
  reasoning_content?: string;
  tool_calls?: OpenAIToolCallDelta[];
}

export interface CompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint: null;
  choices: { index: 0; delta: ChunkDelta; logprobs: null; finish_reason: OpenAIFinishReason | null }[];
  usage?: OpenAIUsage | null;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  system_fingerprint: null;
  choices: {
    index: 0;
    message: { role: 'assistant'; content: string | null; refusal: null; reasoning_content?: string; tool_calls?: OpenAIToolCall[] };
    logprobs: null;
    finish_reason: OpenAIFinishReason;
  }[];
  usage: OpenAIUsage;
}

export function toFinishReason(reason: FinishReason | undefined): OpenAIFinishReason {
  switch (reason) {
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'stop':
    case 'error':
    case 'other':
    case undefined:
      return 'stop';
  }
}

export function toOpenAIUsage(usage: Usage | undefined): OpenAIUsage {
  const prompt = usage?.inputTokens ?? 0;
  const completion = usage?.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    completion_tokens_details: { reasoning_tokens: usage?.reasoningTokens ?? 0 },
  };
}

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

// Builds the chunks of one streamed completion. With include_usage every chunk carries
// `usage: null` and a last chunk with empty choices carries the totals, as OpenAI does.
export class ChunkBuilder {
  constructor(
    private readonly meta: CompletionMeta,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: ChunkDelta, finish: OpenAIFinishReason | null = null): CompletionChunk {
    return {
      id: this.meta.id,
      object: 'chat.completion.chunk',
      created: this.meta.created,
      model: this.meta.model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(this.includeUsage ? { usage: null } : {}),
    };
  }

  first(): CompletionChunk {
    return this.chunk({ role: 'assistant', content: '' });
  }

  // The chunk for a content event; usage and finish are sent by finish() and usage().
  fromEvent(event: ProviderEvent): CompletionChunk | undefined {
    switch (event.type) {
      case 'text':
        return this.chunk({ content: event.delta });
      case 'reasoning':
        return this.chunk({ reasoning_content: event.delta });
      case 'tool-call': {
        const call: OpenAIToolCallDelta = { index: event.index, function: { arguments: event.argumentsDelta } };
        if (event.id !== undefined) {
          call.id = event.id;
          call.type = 'function';
        }
        if (event.name !== undefined) call.function.name = event.name;
        return this.chunk({ tool_calls: [call] });
      }
      case 'usage':
      case 'finish':
        return undefined;
    }
  }

  finish(reason: FinishReason | undefined): CompletionChunk {
    return this.chunk({}, toFinishReason(reason));
  }

  usage(usage: Usage | undefined): CompletionChunk {
    return { ...this.chunk({}), choices: [], usage: toOpenAIUsage(usage) };
  }
}

// Collects a whole reply for a non-streamed completion (and the usage of a streamed one).
export class CompletionAccumulator {
  text = '';
  reasoning = '';
  usage: Usage | undefined;
  finishReason: FinishReason | undefined;
  private readonly calls = new Map<number, OpenAIToolCall>();

  // What a vendor counts as output besides reasoning: text and tool calls.
  get output(): string {
    return this.text + [...this.calls.values()].map((c) => c.function.name + c.function.arguments).join('');
  }

  apply(event: ProviderEvent): void {
    switch (event.type) {
      case 'text':
        this.text += event.delta;
        return;
      case 'reasoning':
        this.reasoning += event.delta;
        return;
      case 'tool-call': {
        const call = this.calls.get(event.index) ?? { id: '', type: 'function' as const, function: { name: '', arguments: '' } };
        if (event.id) call.id = event.id;
        if (event.name) call.function.name = event.name;
        call.function.arguments += event.argumentsDelta;
        this.calls.set(event.index, call);
        return;
      }
      case 'usage':
        this.usage = event.usage;
        return;
      case 'finish':
        this.finishReason = event.reason;
        return;
    }
  }

  toCompletion(meta: CompletionMeta, usage: Usage | undefined): ChatCompletion {
    const toolCalls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    return {
      id: meta.id,
      object: 'chat.completion',
      created: meta.created,
      model: meta.model,
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: this.text || (toolCalls.length ? null : ''),
            refusal: null,
            ...(this.reasoning ? { reasoning_content: this.reasoning } : {}),
            ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
          },
          logprobs: null,
          finish_reason: toFinishReason(this.finishReason),
        },
      ],
      usage: toOpenAIUsage(usage),
    };
  }
}
