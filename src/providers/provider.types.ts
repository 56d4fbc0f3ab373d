// The one interface every LLM vendor adapter implements, and the normalized events it streams.

export type ProviderKind = 'openai' | 'anthropic' | 'google' | 'mistral' | 'openai-compatible';

// Content of a chat message as stored and as sent upstream.
export type ContentPart =
  | { type: 'text'; text: string }
  // Image for vision models: base64 data (no data: prefix) with its media type. Stored parts of
  // uploaded images keep only the uploadId; the data is loaded when a request is built.
  | { type: 'image'; mimeType: string; data?: string; uploadId?: string }
  | { type: 'file'; uploadId: string; name?: string; mimeType?: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool-call'; toolCallId: string; name: string; arguments: string }
  | { type: 'tool-result'; toolCallId: string; name?: string; result: string };

export interface ChatTurnMessage {
  role: 'user' | 'assistant' | 'tool';
  parts: ContentPart[];
}

export interface ToolDefinition {
  name: string;
  description?: string;
  // JSON Schema of the arguments.
  parameters: Record<string, unknown>;
}

// Whether the model may, must, or must not call a tool; or must call this one.
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface ChatTurnRequest {
  model: string;
  system?: string;
  messages: ChatTurnMessage[];
  temperature?: number;
  maxTokens?: number;
  tools?: ToolDefinition[];
  // Only sent along with tools (vendors refuse a choice without tools).
  toolChoice?: ToolChoice;
  // Stop sequences (at most 4, as OpenAI allows).
  stop?: string[];
  signal: AbortSignal;
}

export interface EmbedRequest {
  model: string;
  inputs: string[];
  dimensions?: number;
  signal: AbortSignal;
}

export interface EmbedResult {
  // One vector per input, in input order.
  vectors: number[][];
  inputTokens: number;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

// Normalized stream events. Tool-call deltas carry the call's index; id and name arrive with
// its first delta.
export type ProviderEvent =
  | { type: 'text'; delta: string }
  | { type: 'reasoning'; delta: string }
  | { type: 'tool-call'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason };

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';

export interface ModelInfo {
  id: string;
  contextWindow?: number;
  vision?: boolean;
}

export interface ChatProvider {
  readonly id: string;
  readonly kind: ProviderKind;
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  // Throws ProviderError (normalized from the SDK's errors) before or during the stream.
  streamChat(request: ChatTurnRequest): AsyncIterable<ProviderEvent>;
  // Only for vendors with an embeddings API.
  embed?(request: EmbedRequest): Promise<EmbedResult>;
}
