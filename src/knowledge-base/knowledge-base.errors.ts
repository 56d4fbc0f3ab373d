import { DomainError } from '../common/errors/domain-error.js';

export enum KnowledgeBaseErrorCode {
  InvalidEmbedding = 'KB_INVALID_EMBEDDING',
  InvalidChunking = 'KB_INVALID_CHUNKING',
  InvalidSource = 'KB_INVALID_SOURCE',
  UnsupportedType = 'KB_UNSUPPORTED_TYPE',
  UnsafeUrl = 'KB_UNSAFE_URL',
  DocumentTooLarge = 'KB_DOCUMENT_TOO_LARGE',
  NotReady = 'KB_DOCUMENT_NOT_READY',
}

const STATUS: Record<KnowledgeBaseErrorCode, number> = {
  [KnowledgeBaseErrorCode.InvalidEmbedding]: 400,
  [KnowledgeBaseErrorCode.InvalidChunking]: 400,
  [KnowledgeBaseErrorCode.InvalidSource]: 400,
  [KnowledgeBaseErrorCode.UnsupportedType]: 415,
  [KnowledgeBaseErrorCode.UnsafeUrl]: 400,
  [KnowledgeBaseErrorCode.DocumentTooLarge]: 413,
  [KnowledgeBaseErrorCode.NotReady]: 409,
};

export class KnowledgeBaseError extends DomainError {
  constructor(code: KnowledgeBaseErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
