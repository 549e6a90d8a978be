/**
 * Checks a presented API key against the one configured key (`PALLET_API_KEY`). Both sides are hashed
 * before a constant-time comparison, so neither the length nor a prefix of the key leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Actor } from '../app/actor.ts';

export type ApiKeyVerifier = (presentedKey: string) => Actor;

export function configuredApiKeyVerifier(configuredKey: string | undefined): ApiKeyVerifier {
  const expectedDigest = configuredKey === undefined ? undefined : digest(configuredKey);
  return (presentedKey) => {
    if (expectedDigest === undefined) {
      throw new AppError('FORBIDDEN', 'This server has no API key configured (set PALLET_API_KEY), so pushing and unlisting are disabled.');
    }
    if (!timingSafeEqual(digest(presentedKey), expectedDigest)) {
      throw new AppError('FORBIDDEN', 'The specified API key is invalid, has expired, or does not have permission to access the specified package.');
    }
    return { kind: 'api-key', name: 'configured', rights: 'all' };
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
