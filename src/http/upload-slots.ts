/**
 * Caps the pushes received at once (`maxConcurrentUploads`): each holds a connection, a spool file of up
 * to `maxPackageSize` and, once received, a check in a worker. Past the cap a push is answered 503 with
 * Retry-After at once, before its body is read, so the client can try again shortly.
 */
import { AppError } from '../errors.ts';

export class UploadSlots {
  private readonly limit: number;
  private inUse = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Takes a slot or throws UNAVAILABLE; the returned function gives it back (once). */
  acquire(): () => void {
    if (this.inUse >= this.limit) {
      throw new AppError('UNAVAILABLE', `The server is already receiving ${this.limit} packages (maxConcurrentUploads); push again in a moment.`, {
        retryAfterSeconds: 5,
      });
    }
    this.inUse += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse -= 1;
    };
  }
}
