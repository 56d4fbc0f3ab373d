import type { ChatTurnMessage } from '../../providers/provider.types.js';

// Everything a reply needs to generate, fixed when the request is accepted.
export interface GenerationJob {
  userId: string;
  sessionId: string;
  messageId: string;
  provider: string;
  model: string;
  system?: string;
  messages: ChatTurnMessage[];
  temperature?: number;
  maxTokens?: number;
  // Searched for sources (RAG) before the vendor is called; the query is the user's message.
  // The session owner's bases: in a group session every member's message gets them.
  knowledge?: { ownerId: string; knowledgeBaseIds: string[]; query: string };
  // The session has no title yet: one is generated from this exchange when it completes (the
  // first exchange, or the first to complete when earlier replies failed).
  titleAfter: boolean;
}

export type AbortReason = 'stop' | 'shutdown' | 'gone' | 'limit';
