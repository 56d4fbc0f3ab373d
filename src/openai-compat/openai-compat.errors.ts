import { DomainError } from '../common/errors/domain-error.js';

export enum OpenAICompatErrorCode {
  InvalidRequest = 'INVALID_REQUEST',
  ModelNotFound = 'MODEL_NOT_FOUND',
}

const STATUS: Record<OpenAICompatErrorCode, number> = {
  [OpenAICompatErrorCode.InvalidRequest]: 400,
  [OpenAICompatErrorCode.ModelNotFound]: 404,
};

// A request this API refuses, naming the offending parameter as OpenAI's `param` does.
export class OpenAICompatError extends DomainError {
  constructor(
    code: OpenAICompatErrorCode,
    message: string,
    readonly param: string | null = null,
  ) {
    super(code, STATUS[code], message);
  }

  static invalid(param: string, message: string): OpenAICompatError {
    return new OpenAICompatError(OpenAICompatErrorCode.InvalidRequest, message, param);
  }

  static modelNotFound(model: string): OpenAICompatError {
    return new OpenAICompatError(OpenAICompatErrorCode.ModelNotFound, `The model '${model}' does not exist or you do not have access to it`, 'model');
  }
}
