import { DomainError } from '../common/errors/domain-error.js';

export enum MessagesErrorCode {
  ReplyInProgress = 'REPLY_IN_PROGRESS',
  NotEditable = 'MESSAGE_NOT_EDITABLE',
  NothingToRegenerate = 'NOTHING_TO_REGENERATE',
  PromptTooLong = 'PROMPT_TOO_LONG',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  InvalidContent = 'INVALID_CONTENT',
  TooManyReplies = 'TOO_MANY_REPLIES',
}

const STATUS: Record<MessagesErrorCode, number> = {
  [MessagesErrorCode.ReplyInProgress]: 409,
  [MessagesErrorCode.NotEditable]: 409,
  [MessagesErrorCode.NothingToRegenerate]: 409,
  [MessagesErrorCode.PromptTooLong]: 400,
  [MessagesErrorCode.IdempotencyKeyReused]: 422,
  [MessagesErrorCode.InvalidContent]: 400,
  [MessagesErrorCode.TooManyReplies]: 429,
};

export class MessagesError extends DomainError {
  constructor(code: MessagesErrorCode, message: string, headers?: Record<string, string>) {
    super(code, STATUS[code], message, headers);
  }
}
