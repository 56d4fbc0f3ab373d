import { ValidateIf } from 'class-validator';

// May be left out, but not sent as null: class-validator's IsOptional skips the field's other
// checks for null too, which lets a null through to a column or a setting that cannot hold one.
export function OptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}
