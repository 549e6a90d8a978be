/** A package that is not a zip archive every reader reads the same way; the message names the entry and the problem. */
export class ArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveError';
  }
}
