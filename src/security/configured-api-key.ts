/**
 * Checks a presented secret against the one configured administrator key (`PALLET_API_KEY`). Both sides
 * are hashed before a constant-time comparison, so neither the length nor a prefix of the key leaks
 * through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function configuredKeyCheck(configuredKey: string | undefined): (secret: string) => boolean {
  if (configuredKey === undefined) return () => false;
  const expectedDigest = digest(configuredKey);
  return (secret) => timingSafeEqual(digest(secret), expectedDigest);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
