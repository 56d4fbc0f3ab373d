import type { ValidationError } from 'class-validator';
import { DomainError } from './domain-error.js';

export interface FieldError {
  field: string;
  message: string;
}

export class RequestValidationError extends DomainError {
  constructor(readonly errors: FieldError[]) {
    const detail = errors.length === 1 ? `${errors[0].field}: ${errors[0].message}` : `${errors.length} fields are invalid`;
    super('VALIDATION_FAILED', 400, detail);
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
