import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

class FieldErrorDto {
  @ApiProperty({ example: 'email' }) field!: string;
  @ApiProperty({ example: 'email must be an email' }) message!: string;
}

// RFC 9457 problem details, as every error response is shaped.
export class ProblemDto {
  @ApiProperty({ example: 'about:blank' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'email: email must be an email' }) detail!: string;
  @ApiProperty({ example: '/api/v1/auth/register' }) instance!: string;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable error code' }) code!: string;
  @ApiProperty({ example: '5f0c6a0e-4a1b-4c59-9a0a-2f4a8f1d2c11' }) requestId!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (problem+json with errors per field)',
  401: 'Missing or invalid credentials',
  403: 'Authenticated but not allowed',
  404: 'Not found (or not yours)',
  409: 'Conflicts with existing state',
  413: 'Request body too large',
  415: 'Unsupported media type',
  429: 'Rate limited (see Retry-After)',
  503: 'A dependency is unavailable',
};

// Documents the error responses of a route; every route lists at least its 4xx cases.
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
    ),
  );
}
