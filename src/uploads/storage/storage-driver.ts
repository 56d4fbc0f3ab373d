import type { Readable } from 'node:stream';

export interface PutOptions {
  contentType: string;
}

export interface PresignOptions {
  filename: string;
  contentType: string;
  expiresIn: number; // seconds
}

// Where upload bytes live. Keys come only from object-keys.ts (server-generated), never from
// a client; every driver refuses any other shape.
export abstract class StorageDriver {
  abstract readonly name: 'local' | 's3';

  // Streams the body to the key; resolves once the object is complete and durable. On failure
  // nothing is left under the key.
  abstract put(key: string, body: Readable, options: PutOptions): Promise<{ bytes: number }>;

  abstract get(key: string): Promise<Readable>;

  // Idempotent: deleting a missing object succeeds.
  abstract delete(key: string): Promise<void>;

  // A short-lived URL the client may download from directly, when the driver offers one.
  presignGet?(key: string, options: PresignOptions): Promise<string>;

  // Readiness: throws when the storage cannot be written or reached.
  abstract check(): Promise<void>;
}
