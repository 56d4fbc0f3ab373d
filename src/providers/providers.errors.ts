import { DomainError } from '../common/errors/domain-error.js';

export enum ProvidersErrorCode {
  UnknownProvider = 'UNKNOWN_PROVIDER',
  NotConfigured = 'PROVIDER_NOT_CONFIGURED',
  BaseUrlNotAllowed = 'BASE_URL_NOT_ALLOWED',
  UnsafeBaseUrl = 'UNSAFE_BASE_URL',
  EmbeddingsUnsupported = 'EMBEDDINGS_UNSUPPORTED',
}

const STATUS: Record<ProvidersErrorCode, number> = {
  [ProvidersErrorCode.UnknownProvider]: 400,
  [ProvidersErrorCode.NotConfigured]: 400,
  [ProvidersErrorCode.BaseUrlNotAllowed]: 400,
  [ProvidersErrorCode.UnsafeBaseUrl]: 400,
  [ProvidersErrorCode.EmbeddingsUnsupported]: 400,
};

export class ProvidersError extends DomainError {
  constructor(code: ProvidersErrorCode, message: string) {
    super(code, STATUS[code], message);
  }

  static unknown(provider: string): ProvidersError {
    return new ProvidersError(ProvidersErrorCode.UnknownProvider, `Unknown provider "${provider}"`);
  }
}
