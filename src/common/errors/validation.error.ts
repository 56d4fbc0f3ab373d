import type { ValidationError } from 'class-validator';
import { DomainError } from './domain-error.js';

export interface FieldError {
  field: string;
  message: string;
}

export class RequestValidationError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;

  constructor(readonly errors: FieldError[]) {
    super(errors.length === 1 ? `${errors[0].field}: ${errors[0].message}` : `${errors.length} fields are invalid`);
  }

  static fromClassValidator(errors: ValidationError[]): RequestValidationError {
    return new RequestValidationError(flatten(errors, ''));
  }
}

function flatten(errors: ValidationError[], parent: string): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}
