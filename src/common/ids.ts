import { v7 as uuidv7 } from 'uuid';

// UUIDv7: time-ordered, so new rows append to indexes and ids sort by creation.
export function newId(): string {
  return uuidv7();
}
