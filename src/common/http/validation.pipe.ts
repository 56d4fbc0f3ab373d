import { ValidationPipe } from '@nestjs/common';
import { RequestValidationError } from '../errors/validation.error.js';

// Strips nothing silently: unknown fields are refused, so a client cannot set role or ids.
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => RequestValidationError.fromClassValidator(errors),
  });
}
