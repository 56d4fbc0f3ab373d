import { describe, it } from 'node:test';
import { expect } from 'expect';
import { RequestValidationError } from '../errors/validation.error.js';
import { checkInput, MAX_INPUT_DEPTH } from './input-text.js';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};
const fieldOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(RequestValidationError);
    return (err as RequestValidationError).errors[0].field;
  }
};

describe('checkInput', () => {
  it('takes ordinary text, emoji (paired surrogates) and nesting up to the limit', () => {
    expect(fieldOf(() => checkInput({ content: 'Hello 👋 ünïcode', tags: ['a', 'b'], n: 1, ok: null }, ''))).toBeUndefined();
    expect(fieldOf(() => checkInput(nested(MAX_INPUT_DEPTH - 1), ''))).toBeUndefined();
  });

  it('refuses deeper nesting without overflowing the stack', () => {
    expect(fieldOf(() => checkInput(nested(MAX_INPUT_DEPTH + 1), ''))).toMatch(/^a(\.a)*$/);
    expect(fieldOf(() => checkInput(nested(100_000), ''))).toBeDefined();
  });

  it('names the field holding a NUL or an unpaired surrogate, in values and keys', () => {
    expect(fieldOf(() => checkInput({ settings: { model: 'a\u0000b' } }, ''))).toBe('settings.model');
    expect(fieldOf(() => checkInput({ parts: [{ text: 'x\ud800' }] }, ''))).toBe('parts.0.text');
    expect(fieldOf(() => checkInput({ email: '\udc00@example.com' }, ''))).toBe('email');
    expect(fieldOf(() => checkInput({ 'a\u0000': 1 }, ''))).toBe('body');
    expect(fieldOf(() => checkInput('a\u0000', 'folder'))).toBe('folder');
    // An untyped body (imports clean their own text) is checked for depth only.
    expect(fieldOf(() => checkInput({ model: 'a\u0000' }, '', false))).toBeUndefined();
    expect(fieldOf(() => checkInput(nested(MAX_INPUT_DEPTH + 1), '', false))).toBeDefined();
  });
});
