/**
 * The one error catalogue. Application code throws `AppError` with a stable code (domain code throws its
 * own errors, which the use cases translate); only `http/error-mapper.ts` knows which HTTP status each
 * code becomes.
 */

export const ERROR_CODES = [
  'INVALID_REQUEST', // a request the server cannot act on (bad query value, malformed body)
  'INVALID_PACKAGE', // an uploaded .nupkg that breaks a package rule
  'PACKAGE_EXISTS', // the id + version was pushed before (listed or not); versions are immutable
  'CONFLICT', // a name (of an account, an API key) that is already taken
  'NOT_FOUND', // no such package, version or resource
  'UNAUTHENTICATED', // no credentials, where some are required
  'FORBIDDEN', // credentials that are wrong, or lack the right for this action
  'PAYLOAD_TOO_LARGE', // an upload over the configured size limit
  'REQUEST_TIMEOUT', // a request body that stalled or took too long to arrive
  'TOO_MANY_REQUESTS', // too many failed attempts from one address or at one account; wait before trying again
  'UNAVAILABLE', // the server cannot take this now (too many uploads at once, shutting down); retry later
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The package a refusal is about, when it is known: it goes into the log line of the refusal. */
export interface ErrorSubject {
  readonly id: string;
  readonly version?: string | undefined;
}

export interface AppErrorOptions {
  readonly cause?: unknown;
  readonly subject?: ErrorSubject | undefined;
  /** For UNAVAILABLE: when the client may try again. */
  readonly retryAfterSeconds?: number;
  /** For UNAUTHENTICATED: the scheme the client is asked for in `WWW-Authenticate` (NuGet's `ApiKey`, or `Basic`). */
  readonly challenge?: 'ApiKey' | 'Basic' | undefined;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly subject: ErrorSubject | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly challenge: 'ApiKey' | 'Basic' | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.subject = options.subject;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.challenge = options.challenge;
  }
}
