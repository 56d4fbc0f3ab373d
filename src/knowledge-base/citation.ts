import type { SourceLocation } from './parsing/parsed-document.js';

// A knowledge-base chunk given to a reply's prompt as source [index].
export interface Citation {
  index: number;
  knowledgeBaseId: string;
  documentId: string;
  documentTitle: string;
  chunkId: string;
  location: SourceLocation;
  snippet: string;
  score: number;
}
