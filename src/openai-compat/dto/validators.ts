import { ValidateBy, type ValidationOptions } from 'class-validator';

// `stop`: one string, or up to four.
export function IsStopSequences(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStopSequences',
      validator: {
        validate: (value: unknown) => {
          const list = typeof value === 'string' ? [value] : value;
          return Array.isArray(list) && list.length <= 4 && list.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 1000);
        },
        defaultMessage: () => 'stop must be a string or an array of at most 4 non-empty strings',
      },
    },
    options,
  );
}

// `tool_choice`: "none" | "auto" | "required" | {type: "function", function: {name}}.
export function IsToolChoice(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isToolChoice',
      validator: {
        validate: (value: unknown) => {
          if (value === 'none' || value === 'auto' || value === 'required') return true;
          if (typeof value !== 'object' || value === null) return false;
          const { type, function: fn } = value as { type?: unknown; function?: { name?: unknown } };
          return type === 'function' && typeof fn?.name === 'string' && fn.name.length > 0;
        },
        defaultMessage: () => 'tool_choice must be "none", "auto", "required" or {"type": "function", "function": {"name": ...}}',
      },
    },
    options,
  );
}

// Embedding input: one string or up to `maxItems` strings, each non-empty and bounded.
export function IsEmbeddingInput(maxItems: number, maxChars: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmbeddingInput',
      validator: {
        validate: (value: unknown) => {
          const list = typeof value === 'string' ? [value] : value;
          return (
            Array.isArray(list) &&
            list.length >= 1 &&
            list.length <= maxItems &&
            list.every((s) => typeof s === 'string' && s.length > 0 && s.length <= maxChars)
          );
        },
        defaultMessage: () => `input must be a non-empty string or an array of 1 to ${maxItems} non-empty strings of at most ${maxChars} characters`,
      },
    },
    options,
  );
}
