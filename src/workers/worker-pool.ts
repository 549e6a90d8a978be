/**
 * A fixed set of worker threads running one script, one task per worker at a time, tasks queued in
 * arrival order. A task that runs past its time limit, or a worker that dies (out of its memory limit,
 * say), takes only that worker down: it is replaced on the next task. Workers start when first needed,
 * so an idle server pays nothing for them.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** What a worker script receives and must answer, matched by `taskId`. */
export interface TaskMessage<Request> {
  readonly taskId: number;
  readonly request: Request;
}
export type ReplyMessage<Response> =
  | { readonly taskId: number; readonly ok: true; readonly response: Response }
  | { readonly taskId: number; readonly ok: false; readonly failure: TaskFailure };

/** A failure the worker reports: an expected one (`code` set) or an unexpected error. */
export interface TaskFailure {
  readonly message: string;
  readonly code?: string;
  readonly detail?: Record<string, unknown>;
}

export type TaskOutcomeError =
  | { readonly kind: 'failed'; readonly failure: TaskFailure }
  | { readonly kind: 'timed-out'; readonly limitMs: number }
  | { readonly kind: 'crashed'; readonly reason: string; readonly outOfMemory: boolean }
  | { readonly kind: 'closed' };

export class WorkerTaskError extends Error {
  readonly outcome: TaskOutcomeError;

  constructor(outcome: TaskOutcomeError) {
    super(describe(outcome));
    this.name = 'WorkerTaskError';
    this.outcome = outcome;
  }
}

function describe(outcome: TaskOutcomeError): string {
  switch (outcome.kind) {
    case 'failed':
      return outcome.failure.message;
    case 'timed-out':
      return `the task ran past its limit of ${outcome.limitMs} ms`;
    case 'crashed':
      return `the worker stopped: ${outcome.reason}`;
    case 'closed':
      return 'the worker pool is closed';
  }
}

export interface WorkerPoolOptions {
  readonly script: URL;
  readonly size: number;
  readonly taskTimeoutMs: number;
  readonly resourceLimits?: ResourceLimits;
  /** Given to every worker as `workerData` (structured-cloned). */
  readonly workerData?: unknown;
  /** A worker idle this long is stopped, giving its heap back; the next task starts a new one. */
  readonly idleTimeoutMs?: number;
}

interface PendingTask<Request, Response> {
  readonly message: TaskMessage<Request>;
  resolve(response: Response): void;
  reject(error: WorkerTaskError): void;
}

interface Slot<Request, Response> {
  worker: Worker | undefined;
  task: PendingTask<Request, Response> | undefined;
  timer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

export class WorkerPool<Request, Response> {
  private readonly options: WorkerPoolOptions;
  private readonly slots: Slot<Request, Response>[];
  private readonly queue: PendingTask<Request, Response>[] = [];
  private nextTaskId = 1;
  private closed = false;

  constructor(options: WorkerPoolOptions) {
    this.options = options;
    this.slots = Array.from({ length: Math.max(1, options.size) }, () => ({ worker: undefined, task: undefined, timer: undefined, idleTimer: undefined }));
  }

  run(request: Request): Promise<Response> {
    if (this.closed) return Promise.reject(new WorkerTaskError({ kind: 'closed' }));
    return new Promise<Response>((resolve, reject) => {
      this.queue.push({ message: { taskId: this.nextTaskId++, request }, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; tasks queued or running are rejected with a 'closed' outcome. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new WorkerTaskError({ kind: 'closed' }));
    await Promise.all(
      this.slots.map(async (slot) => {
        const { worker, task } = slot;
        if (slot.idleTimer) clearTimeout(slot.idleTimer);
        slot.worker = undefined;
        this.clear(slot);
        task?.reject(new WorkerTaskError({ kind: 'closed' }));
        if (worker) await worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.task) continue;
      const task = this.queue.shift() as PendingTask<Request, Response>;
      slot.task = task;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
      slot.worker ??= this.spawn(slot);
      // A worker holds the process open only while it has a task; an idle one must not.
      slot.worker.ref();
      slot.timer = setTimeout(() => this.fail(slot, { kind: 'timed-out', limitMs: this.options.taskTimeoutMs }), this.options.taskTimeoutMs);
      slot.worker.postMessage(task.message);
    }
  }

  private spawn(slot: Slot<Request, Response>): Worker {
    const worker = new Worker(this.options.script, {
      ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
      ...(this.options.workerData === undefined ? {} : { workerData: this.options.workerData }),
    });
    worker.on('message', (reply: ReplyMessage<Response>) => {
      const task = slot.task;
      if (!task || reply.taskId !== task.message.taskId) return;
      this.clear(slot);
      if (reply.ok) task.resolve(reply.response);
      else task.reject(new WorkerTaskError({ kind: 'failed', failure: reply.failure }));
      this.dispatch();
      if (!slot.task) this.retireWhenIdle(slot);
    });
    const onGone = (reason: string, outOfMemory: boolean) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      if (slot.task) this.fail(slot, { kind: 'crashed', reason, outOfMemory });
    };
    worker.on('error', (error: NodeJS.ErrnoException) => onGone(error.message, error.code === 'ERR_WORKER_OUT_OF_MEMORY'));
    worker.on('exit', (code) => onGone(`it exited with code ${code}`, false));
    return worker;
  }

  private retireWhenIdle(slot: Slot<Request, Response>): void {
    const { idleTimeoutMs } = this.options;
    if (idleTimeoutMs === undefined || !slot.worker) return;
    const worker = slot.worker;
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = undefined;
      if (slot.task || slot.worker !== worker) return;
      slot.worker = undefined;
      void worker.terminate();
    }, idleTimeoutMs);
    slot.idleTimer.unref();
  }

  /** Ends the slot's task with `outcome` and retires its worker, whose state is no longer known. */
  private fail(slot: Slot<Request, Response>, outcome: TaskOutcomeError): void {
    const { task, worker } = slot;
    this.clear(slot);
    slot.worker = undefined;
    if (worker) void worker.terminate();
    task?.reject(new WorkerTaskError(outcome));
    if (!this.closed) this.dispatch();
  }

  private clear(slot: Slot<Request, Response>): void {
    slot.worker?.unref();
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.task = undefined;
  }
}
