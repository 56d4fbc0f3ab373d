import { type ArgumentMetadata, type Type, ValidationPipe } from '@nestjs/common';
import { RequestValidationError } from '../errors/validation.error.js';
import { checkInput } from './input-text.js';

// Strips nothing silently: unknown fields are refused, so a client cannot set role or ids.
export function createValidationPipe(): ValidationPipe {
  return new EmptyQueryShortcutPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => RequestValidationError.fromClassValidator(errors),
  });
}

// Most list requests come without query parameters. Validation is deterministic, so once an empty
// query of a DTO has been transformed and validated and gave the DTO's defaults, later empty
// queries of that DTO get a fresh instance of those defaults without class-transformer and
// class-validator (a sixth of the CPU of a small list request).
class EmptyQueryShortcutPipe extends ValidationPipe {
  private readonly emptyGivesDefaults = new Map<Type, boolean>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype;
    if (metadata.type !== 'custom') {
      checkInput(value, metadata.data ?? '', metatype !== Object);
      // A path id in upper case names the same row as in lower case (ids are stored lower case).
      if (metadata.type === 'param' && typeof value === 'string' && UUID.test(value)) value = value.toLowerCase();
    }
    if (metadata.type === 'body' && isPlainObject(value) && hasAcceptPlain(metatype)) {
      const accepted = metatype.acceptPlain(value);
      if (accepted !== undefined) return accepted;
    }
    if (metadata.type !== 'query' || !metatype || !isEmptyObject(value)) return super.transform(value, metadata);
    const known = this.emptyGivesDefaults.get(metatype);
    if (known) return new metatype();
    const result: unknown = await super.transform(value, metadata);
    if (known === undefined) this.emptyGivesDefaults.set(metatype, sameFields(result, new metatype()));
    return result;
  }
}

// A body DTO may check its most common shape itself: `acceptPlain` returns the DTO for a body it
// knows to be valid (the same rules as its decorators) and undefined for anything else, which
// then goes through class-transformer and class-validator as usual, so errors read the same. On
// the message send route they were most of the request's time before the controller.
export interface AcceptsPlain {
  acceptPlain(body: Record<string, unknown>): object | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function hasAcceptPlain(metatype: Type | undefined): metatype is Type & AcceptsPlain {
  return typeof (metatype as Partial<AcceptsPlain> | undefined)?.acceptPlain === 'function';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const _key in value) return false;
  return true;
}

function sameFields(a: unknown, b: unknown): boolean {
  return a instanceof Object && b instanceof Object && a.constructor === b.constructor && JSON.stringify(a) === JSON.stringify(b);
}
