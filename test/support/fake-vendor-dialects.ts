import type { ServerResponse } from 'node:http';

// The wire formats of each vendor's streaming chat API, as the official SDKs parse them.
export type Dialect = 'openai' | 'anthropic' | 'google' | 'mistral';

export interface ToolCallScript {
  id: string;
  name: string;
  arguments: string;
}

export interface StreamWriter {
  start(): void;
  reasoning(delta: string): void;
  text(delta: string): void;
  toolCalls(calls: ToolCallScript[]): void;
  error(): void;
  finish(usage: { input: number; output: number; reasoning?: number } | null, finishReason: string | undefined, hadTools: boolean): void;
}

export const FAKE_VENDOR_MODELS = ['fake-large', 'fake-small'];

const sse = (res: ServerResponse, data: unknown, event?: string) =>
  res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);

const ERROR_NAMES: Record<number, { anthropic: string; google: string; openai: string }> = {
  400: { anthropic: 'invalid_request_error', google: 'INVALID_ARGUMENT', openai: 'invalid_request_error' },
  401: { anthropic: 'authentication_error', google: 'UNAUTHENTICATED', openai: 'invalid_api_key' },
  403: { anthropic: 'permission_error', google: 'PERMISSION_DENIED', openai: 'permission_denied' },
  404: { anthropic: 'not_found_error', google: 'NOT_FOUND', openai: 'model_not_found' },
  429: { anthropic: 'rate_limit_error', google: 'RESOURCE_EXHAUSTED', openai: 'rate_limit_exceeded' },
  529: { anthropic: 'overloaded_error', google: 'UNAVAILABLE', openai: 'server_error' },
};

// An HTTP error body in the vendor's own shape.
export function errorBody(dialect: Dialect, status: number, message: string, retryAfter?: string): unknown {
  const names = ERROR_NAMES[status] ?? { anthropic: 'api_error', google: 'INTERNAL', openai: 'server_error' };
  switch (dialect) {
    case 'openai':
      return { error: { message, type: status < 500 ? 'invalid_request_error' : 'server_error', param: null, code: names.openai } };
    case 'mistral':
      return { object: 'error', message, type: names.openai, param: null, code: String(status) };
    case 'anthropic':
      return { type: 'error', error: { type: names.anthropic, message } };
    case 'google':
      // Gemini tells the wait in the body (google.rpc.RetryInfo), not in a header.
      return {
        error: {
          code: status,
          message,
          status: names.google,
          ...(retryAfter !== undefined ? { details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` }] } : {}),
        },
      };
  }
}

export function modelList(dialect: Dialect): unknown {
  switch (dialect) {
    case 'openai':
      return { object: 'list', data: FAKE_VENDOR_MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })) };
    case 'mistral':
      return {
        object: 'list',
        data: FAKE_VENDOR_MODELS.map((id) => ({
          id,
          object: 'model',
          created: 1_700_000_000,
          owned_by: 'mistralai',
          type: 'base',
          max_context_length: 128_000,
          internal: false,
          capabilities: { completion_chat: true, function_calling: true, vision: false },
        })),
      };
    case 'anthropic':
      return {
        data: FAKE_VENDOR_MODELS.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
        has_more: false,
        first_id: FAKE_VENDOR_MODELS[0],
        last_id: FAKE_VENDOR_MODELS.at(-1),
      };
    case 'google':
      return {
        models: FAKE_VENDOR_MODELS.map((id) => ({
          name: `models/${id}`,
          displayName: id,
          inputTokenLimit: 1_048_576,
          outputTokenLimit: 65_536,
          supportedGenerationMethods: ['generateContent', 'countTokens'],
        })),
      };
  }
}

// OpenAI and Mistral chat completions SSE. OpenAI sends usage in an extra chunk with empty
// choices (only when asked); Mistral puts it on the chunk that carries finish_reason.
function completionsWriter(res: ServerResponse, model: string, dialect: 'openai' | 'mistral', includeUsage: boolean): StreamWriter {
  const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    sse(res, { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices, ...extra });
  const delta = (d: Record<string, unknown>) => chunk([{ index: 0, delta: d, finish_reason: null }]);
  return {
    start: () => delta({ role: 'assistant', content: '' }),
    reasoning: (r) => (dialect === 'openai' ? delta({ reasoning_content: r }) : delta({ content: [{ type: 'thinking', thinking: [{ type: 'text', text: r }] }] })),
    text: (t) => delta({ content: t }),
    toolCalls: (calls) => {
      calls.forEach((call, index) => {
        if (dialect === 'mistral') {
          delta({ tool_calls: [{ id: call.id, type: 'function', index, function: { name: call.name, arguments: call.arguments } }] });
          return;
        }
        delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
        const half = Math.ceil(call.arguments.length / 2);
        for (const piece of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
          if (piece) delta({ tool_calls: [{ index, function: { arguments: piece } }] });
        }
      });
    },
    error: () =>
      dialect === 'openai'
        ? sse(res, { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } })
        : sse(res, { object: 'error', message: 'Internal server error', type: 'internal_server_error', code: '500' }),
    finish: (usage, finishReason, hadTools) => {
      const reason = finishReason ?? (hadTools ? 'tool_calls' : 'stop');
      const u = usage && {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
        ...(dialect === 'openai' ? { completion_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 } } : {}),
      };
      if (dialect === 'mistral') {
        chunk([{ index: 0, delta: { content: '' }, finish_reason: reason }], u ? { usage: u } : {});
      } else {
        chunk([{ index: 0, delta: {}, finish_reason: reason }]);
        if (u && includeUsage) chunk([], { usage: u });
      }
      sse(res, '[DONE]');
    },
  };
}

function anthropicWriter(res: ServerResponse, model: string, inputTokens: number | undefined): StreamWriter {
  let index = -1;
  let open: 'thinking' | 'text' | undefined;
  const send = (data: { type: string } & Record<string, unknown>) => sse(res, data, data.type);
  const close = () => {
    if (open) send({ type: 'content_block_stop', index });
    open = undefined;
  };
  const block = (kind: 'thinking' | 'text') => {
    if (open === kind) return;
    close();
    open = kind;
    index++;
    send({ type: 'content_block_start', index, content_block: kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' } });
  };
  return {
    start: () =>
      send({
        type: 'message_start',
        message: {
          id: `msg_${Math.random().toString(36).slice(2)}`,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: inputTokens === undefined ? undefined : { input_tokens: inputTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      }),
    reasoning: (r) => {
      block('thinking');
      send({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: r } });
    },
    text: (t) => {
      block('text');
      send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
    },
    toolCalls: (calls) => {
      close();
      for (const call of calls) {
        index++;
        send({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } });
        send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: call.arguments } });
        send({ type: 'content_block_stop', index });
      }
    },
    error: () => send({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    finish: (usage, finishReason, hadTools) => {
      close();
      send({
        type: 'message_delta',
        delta: { stop_reason: finishReason ?? (hadTools ? 'tool_use' : 'end_turn'), stop_sequence: null },
        usage: usage ? { output_tokens: usage.output } : undefined,
      });
      send({ type: 'message_stop' });
    },
  };
}

function googleWriter(res: ServerResponse, model: string): StreamWriter {
  const chunk = (parts: unknown[], extra: Record<string, unknown> = {}) =>
    sse(res, { candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], modelVersion: model, responseId: 'fake' });
  return {
    start: () => undefined,
    reasoning: (r) => chunk([{ text: r, thought: true }]),
    text: (t) => chunk([{ text: t }]),
    toolCalls: (calls) => chunk(calls.map((c) => ({ functionCall: { id: c.id, name: c.name, args: JSON.parse(c.arguments || '{}') as unknown } }))),
    error: () => sse(res, { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } }),
    finish: (usage, finishReason) => {
      const usageMetadata = usage && {
        promptTokenCount: usage.input,
        candidatesTokenCount: usage.output - (usage.reasoning ?? 0),
        thoughtsTokenCount: usage.reasoning,
        totalTokenCount: usage.input + usage.output,
      };
      sse(res, {
        candidates: [{ content: { role: 'model', parts: [] }, finishReason: finishReason ?? 'STOP', index: 0 }],
        ...(usageMetadata ? { usageMetadata } : {}),
        modelVersion: model,
        responseId: 'fake',
      });
    },
  };
}

export function streamWriter(dialect: Dialect, res: ServerResponse, model: string, body: Record<string, unknown>, inputTokens?: number): StreamWriter {
  switch (dialect) {
    case 'openai': {
      const options = body.stream_options as { include_usage?: boolean } | undefined;
      return completionsWriter(res, model, 'openai', options?.include_usage === true);
    }
    case 'mistral':
      return completionsWriter(res, model, 'mistral', true);
    case 'anthropic':
      return anthropicWriter(res, model, inputTokens);
    case 'google':
      return googleWriter(res, model);
  }
}
