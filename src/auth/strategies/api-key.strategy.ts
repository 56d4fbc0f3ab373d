import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import type { Principal } from '../../common/auth/principal.js';
import { AuthenticatorService } from '../authenticator.service.js';
import { API_KEY_PREFIX } from '../secrets.js';

// An API key works the same from `X-API-Key: cbx_...` or `Authorization: Bearer cbx_...`.
export function extractApiKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.startsWith(API_KEY_PREFIX)) return header;
  const authorization = request.headers.authorization;
  if (authorization?.startsWith(`Bearer ${API_KEY_PREFIX}`)) return authorization.slice('Bearer '.length);
  return undefined;
}

@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(@Inject(AuthenticatorService) private readonly authenticator: AuthenticatorService) {
    super();
  }

  async validate(request: FastifyRequest): Promise<Principal | null> {
    const key = extractApiKey(request);
    return key && key.length <= 128 ? this.authenticator.fromApiKey(key) : null;
  }
}
