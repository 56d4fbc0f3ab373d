import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

const TYPES = ['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'rate_limit_error', 'api_error'];

export class OpenAIErrorDetailDto {
  @ApiProperty({ example: 'Incorrect API key provided' }) message!: string;
  @ApiProperty({ enum: TYPES }) type!: string;
  @ApiProperty({ type: 'string', nullable: true, example: 'model' }) param!: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: 'invalid_api_key' }) code!: string | null;
}

// OpenAI's error body; the /v1 routes answer errors in it instead of problem+json.
export class OpenAIErrorResponseDto {
  @ApiProperty({ type: OpenAIErrorDetailDto }) error!: OpenAIErrorDetailDto;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (invalid_request_error, with the parameter in `param`)',
  401: 'Missing or invalid API key (authentication_error)',
  403: 'The API key lacks the scope (permission_error)',
  404: 'Unknown model or provider (not_found_error)',
  429: 'Rate limited here or by the vendor after retries (rate_limit_error, Retry-After)',
  502: 'The vendor failed (api_error)',
};

export function ApiOpenAIErrors(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/OpenAIErrorResponseDto' } } },
      }),
    ),
  );
}
