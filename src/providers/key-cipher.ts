import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SealedSecret {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
  keyVersion: number;
}

// AES-256-GCM with a fresh 12-byte IV per write. The associated data binds a ciphertext to its
// row (user and provider), so a stored key cannot be copied into another user's row and decrypt.
// Keys are numbered so a new ENCRYPTION_KEY can be added later and rows re-sealed lazily.
export class KeyCipher {
  constructor(
    private readonly keys: ReadonlyMap<number, Buffer>,
    private readonly currentVersion: number,
  ) {
    const current = keys.get(currentVersion);
    if (!current || current.length !== 32) throw new Error('The current encryption key must be 32 bytes');
  }

  seal(plaintext: string, associatedData: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentVersion)!, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { ciphertext, iv, authTag: cipher.getAuthTag(), keyVersion: this.currentVersion };
  }

  // Throws when the key version is unknown or the data was altered.
  open(sealed: SealedSecret, associatedData: string): string {
    const key = this.keys.get(sealed.keyVersion);
    if (!key) throw new Error(`Unknown encryption key version ${sealed.keyVersion}`);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  }
}
