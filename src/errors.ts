/**
 * The one error catalogue. Domain and application code throw `AppError` with a stable code; only
 * `http/error-mapper.ts` knows which HTTP status each code becomes.
 */

export const ERROR_CODES = [
  'INVALID_REQUEST', // a request the server cannot act on (bad query value, malformed body)
  'INVALID_PACKAGE', // an uploaded .nupkg that breaks a package rule
  'PACKAGE_EXISTS', // the id + version was pushed before (listed or not); versions are immutable
  'NOT_FOUND', // no such package, version or resource
  'UNAUTHENTICATED', // no credentials, where some are required
  'FORBIDDEN', // credentials that are wrong, or lack the right for this action
  'PAYLOAD_TOO_LARGE', // an upload over the configured size limit
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
