import { randomUUID } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageDriver, type PutOptions } from './storage-driver.js';
import { assertObjectKey } from './object-keys.js';

// Files under one root directory (DATA_DIR/uploads). Writes go to a temp file in the same file
// system and are renamed into place, so a reader never sees a partial object.
export class LocalStorageDriver extends StorageDriver {
  readonly name = 'local' as const;
  private readonly root: string;
  private readonly tmpDir: string;

  constructor(root: string) {
    super();
    this.root = resolve(root);
    this.tmpDir = join(this.root, '.tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  // Key → absolute path, refusing anything that could leave the root (belt and braces: the
  // key pattern already excludes dots and separators).
  pathFor(key: string): string {
    assertObjectKey(key);
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep)) throw new Error('Object path escapes the storage root');
    return path;
  }

  async put(key: string, body: Readable, _options: PutOptions): Promise<{ bytes: number }> {
    const target = this.pathFor(key);
    const tmp = join(this.tmpDir, randomUUID());
    // Opened before the body is read: on a body error pipeline() settles without waiting for a
    // write stream's pending open, which could then create the file after the clean-up below.
    const file = await open(tmp, 'wx', 0o600);
    try {
      await pipeline(body, file.createWriteStream());
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { bytes: (await stat(target)).size };
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathFor(key);
    await access(path, constants.R_OK);
    return createReadStream(path);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathFor(key), { force: true });
  }

  async check(): Promise<void> {
    await access(this.tmpDir, constants.W_OK);
  }
}
