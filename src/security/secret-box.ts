/**
 * Secrets the server must use again later (an upstream server's API key) kept encrypted at rest: AES-256-GCM
 * under a key derived from the configuration's `secretsKey`, so a copy of the database (or a backup) holds
 * nothing usable without the configuration. Each value has its own random nonce; tampering fails the tag.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
// Separates this use of the configured secret from any other.
const CONTEXT = 'pallet secret box v1\0';

export class SecretBox {
  private readonly key: Buffer;

  constructor(configuredSecret: string) {
    this.key = createHash('sha256').update(CONTEXT + configuredSecret, 'utf8').digest();
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
  }

  /** Throws when the value was sealed under another key or changed since. */
  open(sealed: string): string {
    const [version, nonce, tag, body] = sealed.split('.');
    if (version !== VERSION || nonce === undefined || tag === undefined || body === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
