import { ProviderError, ProviderErrorCode } from '../provider-error.js';
import type { ChatTurnMessage, ContentPart } from '../provider.types.js';

// What an adapter is built from: one credential, plus how to reach the vendor.
export interface AdapterOptions {
  id: string;
  apiKey?: string;
  baseUrl?: string;
  timeoutMs: number;
  // ProvidersService gives every SDK a fetch on node:http (http-fetch.ts), the guarded one for
  // user-supplied base URLs; the global fetch when none is given.
  fetch?: typeof fetch;
}

// An SDK call gets its own signal, so that a consumer that stops iterating (return/break)
// also cancels the upstream request, not only an abort of the caller's signal.
export function linkedController(signal?: AbortSignal): { controller: AbortController; dispose(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    controller,
    dispose: () => {
      signal?.removeEventListener('abort', onAbort);
      if (!controller.signal.aborted) controller.abort();
    },
  };
}

// A message's text for vendors that take one string: parts on their own lines, as the
// message's flat `content` shows them (a file's note does not run into the text before it).
export function textOf(parts: readonly ContentPart[]): string {
  return parts
    .map((p) => {
      if (p.type === 'text') return p.text;
      if (p.type === 'file') return `[Attached file: ${p.name ?? p.uploadId}]`;
      return '';
    })
    .filter((text) => text.length > 0)
    .join('\n');
}

export function hasImages(parts: readonly ContentPart[]): boolean {
  return parts.some((p) => p.type === 'image');
}

export function parseArguments(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw || '{}');
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { raw };
  }
}

// Tool names by call id, for vendors whose tool results must repeat the tool's name.
export function toolNames(messages: readonly ChatTurnMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) for (const p of m.parts) if (p.type === 'tool-call') names.set(p.toolCallId, p.name);
  return names;
}

// The OpenAI and Anthropic SDKs end a stream quietly when its signal aborts; an aborted reply
// must not look complete, so every adapter checks before its closing events.
export function throwIfAborted(provider: string, signal: AbortSignal): void {
  if (signal.aborted) throw new ProviderError(provider, ProviderErrorCode.Aborted, 'The request was aborted');
}
