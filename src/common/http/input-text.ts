import { type FieldError, RequestValidationError } from '../errors/validation.error.js';

// Deeper than any body the API takes (tool schemas, exports): class-transformer recurses and
// would overflow the stack on a few thousand levels.
export const MAX_INPUT_DEPTH = 64;

// PostgreSQL stores neither NUL in text nor a lone UTF-16 surrogate in jsonb, and validator's
// email check throws on a lone surrogate: such input is refused at the edge with the field named.
// eslint-disable-next-line no-control-regex -- NUL is exactly what it looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Refuses (400) a request value nested deeper than MAX_INPUT_DEPTH or (unless `text` is false:
// an untyped body whose service cleans its text itself, as imports do) holding a string, or an
// object key, that cannot be stored. Iterative: the walk itself must not overflow.
export function checkInput(value: unknown, root: string, text = true): void {
  const checkText = text ? refuseUnstorable : () => undefined;
  if (typeof value === 'string') return checkText(value, root);
  if (typeof value !== 'object' || value === null) return;
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 1 }];
  while (stack.length > 0) {
    const { value: node, path, depth } = stack.pop()!;
    if (typeof node === 'string') {
      checkText(node, path);
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_INPUT_DEPTH) throw invalid(path, `must not be nested more than ${MAX_INPUT_DEPTH} levels deep`);
    for (const [key, child] of Object.entries(node)) {
      checkText(key, path);
      stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
}

function refuseUnstorable(text: string, field: string): void {
  if (UNSTORABLE.test(text)) throw invalid(field, 'must not contain NUL characters or unpaired UTF-16 surrogates');
}

function invalid(field: string, message: string): RequestValidationError {
  const error: FieldError = { field: field || 'body', message };
  return new RequestValidationError([error]);
}
