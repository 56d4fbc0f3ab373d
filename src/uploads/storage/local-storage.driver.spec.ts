import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { expect } from 'expect';
import { LocalStorageDriver } from './local-storage.driver.js';
import { isObjectKey, newObjectKey } from './object-keys.js';

const USER = '0190c3f0-0000-7000-8000-000000000001';

describe('object keys', () => {
  it('are generated as users/{userId}/{uuid}', () => {
    const key = newObjectKey(USER);
    expect(key).toMatch(new RegExp(`^users/${USER}/[0-9a-f-]{36}$`));
    expect(newObjectKey(USER)).not.toBe(key);
  });

  it('refuse every other shape', () => {
    for (const bad of [
      '../etc/passwd',
      `users/${USER}/../../etc/passwd`,
      `users/${USER}/..`,
      `users/../${USER}`,
      `/users/${USER}/${USER}`,
      `users/${USER}/${USER}/`,
      `users\\${USER}\\${USER}`,
      `users/${USER}/${USER}.png`,
      `users/${USER}/${USER}\0`,
      `users/${USER.toUpperCase()}/${USER}`,
      '',
    ]) {
      expect(isObjectKey(bad)).toBe(false);
    }
    expect(() => newObjectKey('../../x')).toThrow(/unexpected shape/);
  });
});

describe('LocalStorageDriver', () => {
  const driver = async () => {
    const root = mkdtempSync(join(tmpdir(), 'cbx-storage-'));
    const d = new LocalStorageDriver(join(root, 'uploads'));
    await d.init();
    return { d, root };
  };

  it('resolves keys under the root only', async () => {
    const { d, root } = await driver();
    expect(d.pathFor(`users/${USER}/${USER}`)).toBe(join(root, 'uploads', 'users', USER, USER));
    expect(() => d.pathFor('../outside')).toThrow(/unexpected shape/);
    await expect(d.put('../../escape', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toThrow(/unexpected shape/);
    await expect(d.delete(`users/${USER}/../x`)).rejects.toThrow(/unexpected shape/);
    expect(readdirSync(root)).toEqual(['uploads']);
  });

  it('writes through a temp file and leaves nothing when the body fails', async () => {
    const { d, root } = await driver();
    const key = newObjectKey(USER);
    await expect(d.put(key, Readable.from([Buffer.from('hello '), Buffer.from('world')]), { contentType: 'text/plain' })).resolves.toEqual({ bytes: 11 });
    expect(readFileSync(d.pathFor(key), 'utf8')).toBe('hello world');

    const failing = newObjectKey(USER);
    async function* broken() {
      yield Buffer.from('partial');
      await new Promise((r) => setImmediate(r));
      throw new Error('client went away');
    }
    await expect(d.put(failing, Readable.from(broken()), { contentType: 'text/plain' })).rejects.toThrow('client went away');
    expect(readdirSync(join(root, 'uploads', '.tmp'))).toEqual([]);
    await expect(d.get(failing)).rejects.toMatchObject({ code: 'ENOENT' });
    await d.delete(failing); // idempotent
    await d.delete(key);
    await expect(d.get(key)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(d.check()).resolves.toBeUndefined();
  });
});
