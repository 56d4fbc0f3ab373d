import { newId } from '../../common/ids.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// The only shape an object key may have: no dots, no separators beyond the two fixed ones.
export const OBJECT_KEY_PATTERN = new RegExp(`^users/${UUID}/${UUID}$`);

export function newObjectKey(userId: string): string {
  const key = `users/${userId.toLowerCase()}/${newId()}`;
  assertObjectKey(key);
  return key;
}

export function isObjectKey(key: string): boolean {
  return OBJECT_KEY_PATTERN.test(key);
}

export function assertObjectKey(key: string): void {
  if (!isObjectKey(key)) throw new Error(`Refusing an object key of unexpected shape: ${JSON.stringify(key.slice(0, 80))}`);
}
