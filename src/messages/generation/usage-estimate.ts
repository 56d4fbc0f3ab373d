import type { ChatTurnMessage, Usage } from '../../providers/provider.types.js';
import { IMAGE_TOKENS, PER_MESSAGE_TOKENS, partText } from './context-builder.js';
import { estimateTokens } from './token-counter.js';

// The usage of a reply the vendor gave no count for (a stopped reply ends before the vendor's
// usage event; some OpenAI-compatible servers send none), counted with the context's tokenizer:
// the prompt as sent, and what came back. An estimate for vendors that tokenize otherwise.
export function estimateUsage(system: string | undefined, messages: ChatTurnMessage[], reply: { output: string; reasoning: string }): Usage {
  let inputTokens = system ? estimateTokens(system) : 0;
  const texts: string[] = [];
  for (const m of messages) {
    inputTokens += PER_MESSAGE_TOKENS;
    for (const p of m.parts) {
      if (p.type === 'image') inputTokens += IMAGE_TOKENS;
      else texts.push(partText(p));
    }
  }
  inputTokens += estimateTokens(texts.join('\n'));
  const reasoningTokens = estimateTokens(reply.reasoning);
  return { inputTokens, outputTokens: estimateTokens(reply.output) + reasoningTokens, reasoningTokens };
}
