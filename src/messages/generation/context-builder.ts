import { IMAGE_OMITTED } from '../../providers/model-catalog.js';
import type { ChatTurnMessage, ContentPart } from '../../providers/provider.types.js';
import { countTokens, utf8Length } from './token-counter.js';

export interface HistoryMessage {
  role: 'user' | 'assistant';
  status: string;
  contentParts: ContentPart[];
}

export interface ContextLimits {
  // Most earlier messages to include besides the one being answered (null: no limit).
  contextMessages: number | null;
  contextWindow: number;
  maxOutputTokens: number;
  vision: boolean;
}

// Fixed estimates: vendors price an image by its size; this is about a 1024×1024 image.
export const IMAGE_TOKENS = 1_000;
export const PER_MESSAGE_TOKENS = 4;

export class PromptTooLongError extends Error {}

// The messages sent upstream for a reply: the branch up to the message being answered, newest
// kept first, trimmed to the session's message limit and to what the model's window holds.
export function buildContext(history: HistoryMessage[], system: string | undefined, limits: ContextLimits): ChatTurnMessage[] {
  const candidates = history.map((m) => toTurn(m, limits.vision)).filter((m): m is ChatTurnMessage => m !== null);
  const newest = candidates.pop();
  if (!newest) return [];
  const earlier = limits.contextMessages === null ? candidates : candidates.slice(candidates.length - limits.contextMessages);

  let budget = limits.contextWindow - limits.maxOutputTokens - (system ? countTokens(system) : 0);
  // Cheap path: UTF-8 bytes bound token counts, so a history that fits by bytes fits.
  const all = [...earlier, newest];
  if (all.reduce((sum, m) => sum + upperBound(m), 0) <= budget) return dropLeadingAssistant(all);

  budget -= tokensOf(newest);
  if (budget < 0) throw new PromptTooLongError('The message does not fit in the model context window');
  const kept: ChatTurnMessage[] = [newest];
  for (let i = earlier.length - 1; i >= 0; i--) {
    const cost = tokensOf(earlier[i]);
    if (cost > budget) break;
    budget -= cost;
    kept.unshift(earlier[i]);
  }
  return dropLeadingAssistant(kept);
}

function toTurn(message: HistoryMessage, vision: boolean): ChatTurnMessage | null {
  // A reply that produced nothing (failed before its first token) is not part of the dialogue.
  const parts = message.contentParts.flatMap((p): ContentPart[] => {
    switch (p.type) {
      case 'text':
        return p.text.length > 0 ? [p] : [];
      case 'image':
        return vision ? [p] : [{ type: 'text', text: IMAGE_OMITTED }];
      case 'file':
        return [{ type: 'text', text: `[attached file${p.name ? `: ${p.name}` : ''}]` }];
      case 'reasoning':
        // Earlier reasoning is not sent back; vendors do not expect it and it costs tokens.
        return [];
      case 'tool-call':
      case 'tool-result':
        return [p];
    }
  });
  return parts.length > 0 ? { role: message.role, parts } : null;
}

// Vendors (Anthropic, Gemini) want the dialogue to open with a user turn.
function dropLeadingAssistant(messages: ChatTurnMessage[]): ChatTurnMessage[] {
  const first = messages.findIndex((m) => m.role === 'user');
  return first <= 0 ? messages : messages.slice(first);
}

function upperBound(message: ChatTurnMessage): number {
  return message.parts.reduce((sum, p) => sum + (p.type === 'image' ? IMAGE_TOKENS : utf8Length(partText(p))), PER_MESSAGE_TOKENS);
}

function tokensOf(message: ChatTurnMessage): number {
  return message.parts.reduce((sum, p) => sum + (p.type === 'image' ? IMAGE_TOKENS : countTokens(partText(p))), PER_MESSAGE_TOKENS);
}

export function partText(p: ContentPart): string {
  switch (p.type) {
    case 'text':
    case 'reasoning':
      return p.text;
    case 'tool-call':
      return p.name + p.arguments;
    case 'tool-result':
      return p.result;
    case 'image':
    case 'file':
      return '';
  }
}
