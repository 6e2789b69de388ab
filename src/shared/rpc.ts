// Typed requests with replies, progress and cancel over one postMessage channel: the page <-> the extension host
// (webview.postMessage) and the host <-> the engine worker (a worker_threads port or a Web Worker). One method map
// types both ends; the wire carries { type: method, requestId, ...params } one way and reply / progress / cancel
// messages that name the request they belong to.
import { CancelledError, type CancelSignal } from './engineApi';

// A cancelled request rejects with it: callers may test instanceof against this module's copy.
export { CancelledError };

/** Each method's params (an object: its fields travel in the request message), its reply and, if it streams, its progress. */
export type MethodMap<M> = { [K in keyof M]: { params: object; reply: unknown; progress?: unknown } };

export type ProgressOf<Method> = Method extends { progress: infer P } ? P : never;

/** A request on the wire. The names reply, progress and cancel are the layer's own. */
export type RequestMessage<M extends MethodMap<M>> = {
  [K in keyof M & string]: { type: K; requestId: number } & M[K]['params'];
}[keyof M & string];

export type ReplyMessage =
  | { type: 'reply'; inReplyTo: number; body: unknown }
  /** cancelled: the handler gave up because it was cancelled (the caller gets a CancelledError). */
  | { type: 'reply'; inReplyTo: number; error: string; cancelled?: true };

/** A part of a request's answer, before its reply. */
export type ProgressMessage = { type: 'progress'; inReplyTo: number; body: unknown };

/** The caller no longer wants the answer: the handler's cancel signal fires and nothing more is sent for it. */
export type CancelMessage = { type: 'cancel'; inReplyTo: number };

/**
 * Sends a message; transfer lists buffers moved to the other side instead of copied (where the channel can). What it
 * returns resolves once the channel delivered the message, where the channel says (webview.postMessage does).
 */
export type Post<Message> = (message: Message, transfer?: ArrayBuffer[]) => void | PromiseLike<unknown>;

export interface RequestOptions<Progress> {
  /** Gets the parts of the answer sent before the reply. */
  onProgress?: (body: Progress) => void;
  /** Cancelling rejects the request at once with a CancelledError. */
  cancel?: CancelSignal;
}

/** A CancelSignal that can be cancelled (vscode.CancellationTokenSource without 'vscode'). */
export class CancelSource implements CancelSignal {
  isCancellationRequested = false;
  private readonly listeners = new Set<() => void>();

  onCancellationRequested(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  cancel(): void {
    if (this.isCancellationRequested) return;
    this.isCancellationRequested = true;
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The buffers of the typed arrays in a value, to transfer instead of copy. */
export function transferables(value: unknown, found: ArrayBuffer[] = []): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && !found.includes(value.buffer)) found.push(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferables(item, found);
  } else if (isRecord(value)) {
    for (const item of Object.values(value)) transferables(item, found);
  }
  return found;
}

interface Pending<Message> {
  method: string;
  message: Message;
  resolve(body: unknown): void;
  reject(error: Error): void;
  progress?(body: unknown): void;
}

/** The calling end: request() gives a promise of the reply; answers come in through receive(). */
export class RpcClient<M extends MethodMap<M>> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending<RequestMessage<M>>>();

  /**
   * onCancel: what cancelling a request does after rejecting it; by default the other side is told (a cancel message).
   * The engine client ends its worker instead for requests that cannot stop halfway.
   */
  constructor(
    private readonly post: Post<RequestMessage<M> | CancelMessage>,
    private readonly onCancel?: (requestId: number, method: keyof M & string) => void,
  ) {}

  request<K extends keyof M & string>(method: K, params: M[K]['params'], options: RequestOptions<ProgressOf<M[K]>> = {}): Promise<M[K]['reply']> {
    const { cancel, onProgress } = options;
    if (cancel?.isCancellationRequested) return Promise.reject(new CancelledError());
    const requestId = this.nextId++;
    // The params' fields first: they cannot override the method or the id.
    const message = { ...params, type: method, requestId } as RequestMessage<M>;
    return new Promise<M[K]['reply']>((resolve, reject) => {
      const subscription = cancel?.onCancellationRequested(() => this.cancel(requestId));
      const settled = <T>(settle: (value: T) => void) => (value: T) => {
        subscription?.dispose();
        settle(value);
      };
      this.pending.set(requestId, {
        method,
        message,
        // The wire is untyped: the reply is the method's, as the other end's handler is typed by the same map.
        resolve: settled((body: unknown) => resolve(body as M[K]['reply'])),
        reject: settled(reject),
        progress: onProgress && ((body) => onProgress(body as ProgressOf<M[K]>)),
      });
      try {
        void this.post(message);
      } catch (error) {
        this.pending.delete(requestId);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Takes a reply or a progress message; false for any other message, or one that answers no waiting request. */
  receive(message: unknown): boolean {
    if (!isRecord(message) || (message.type !== 'reply' && message.type !== 'progress') || !isId(message.inReplyTo)) return false;
    const waiting = this.pending.get(message.inReplyTo);
    if (!waiting) return false;
    if (message.type === 'progress') {
      waiting.progress?.(message.body);
      return true;
    }
    this.pending.delete(message.inReplyTo);
    if (typeof message.error === 'string') waiting.reject(message.cancelled === true ? new CancelledError() : new Error(message.error));
    else waiting.resolve(message.body);
    return true;
  }

  /** Rejects a request at once with a CancelledError, then tells the other side (or calls onCancel). */
  cancel(requestId: number): void {
    const entry = this.pending.get(requestId);
    if (!entry) return;
    this.pending.delete(requestId);
    entry.reject(new CancelledError());
    if (this.onCancel) this.onCancel(requestId, entry.method as keyof M & string);
    else void this.post({ type: 'cancel', inReplyTo: requestId });
  }

  /** Posts every waiting request again (to a new worker, after the old one was ended). */
  repost(): void {
    for (const { message } of this.pending.values()) void this.post(message);
  }

  get waiting(): number {
    return this.pending.size;
  }

  /** Rejects every waiting request (the other side went away). */
  rejectAll(error: Error): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(error);
  }
}

export interface RequestContext<Progress> {
  /** Sends a part of the answer; resolves once the channel delivered it (where it says). Nothing is sent once cancelled. */
  progress(body: Progress): Promise<void>;
  /** Fires when the caller cancels the request. */
  cancel: CancelSignal;
}

export type Handlers<M extends MethodMap<M>> = {
  [K in keyof M]: (params: M[K]['params'], context: RequestContext<ProgressOf<M[K]>>) => M[K]['reply'] | Promise<M[K]['reply']>;
};

/** The answering end: each request goes to its method's handler, whose result or error is the reply. */
export class RpcServer<M extends MethodMap<M>> {
  private readonly running = new Map<number, CancelSource>();

  /** transfer: move the typed arrays of replies and progress to the other side (a worker's port; not a webview host). */
  constructor(
    private readonly post: Post<ReplyMessage | ProgressMessage>,
    private readonly handlers: Handlers<M>,
    private readonly options: { transfer?: boolean } = {},
  ) {}

  /**
   * Answers a request, or cancels the one a cancel message names; what it returns settles once the reply was posted.
   * Undefined for anything else (an event, a malformed message). A message with a request id but no such method is
   * answered with an error, so that its caller does not wait.
   */
  receive(message: unknown): Promise<void> | undefined {
    if (!isRecord(message) || typeof message.type !== 'string') return undefined;
    if (message.type === 'cancel') {
      if (!isId(message.inReplyTo)) return undefined;
      this.running.get(message.inReplyTo)?.cancel();
      return Promise.resolve();
    }
    if (!isId(message.requestId)) return undefined;
    const requestId = message.requestId;
    if (!Object.hasOwn(this.handlers, message.type)) return this.send({ type: 'reply', inReplyTo: requestId, error: `No method '${message.type.slice(0, 100)}'` });
    return this.answer(message.type as keyof M, requestId, message);
  }

  private async answer(method: keyof M, requestId: number, params: unknown): Promise<void> {
    const cancel = new CancelSource();
    this.running.set(requestId, cancel);
    const handler = this.handlers[method] as (params: unknown, context: RequestContext<unknown>) => unknown;
    const progress = async (body: unknown) => {
      if (!cancel.isCancellationRequested) await this.send({ type: 'progress', inReplyTo: requestId, body });
    };
    let reply: ReplyMessage;
    try {
      reply = { type: 'reply', inReplyTo: requestId, body: await handler(params, { progress, cancel }) };
    } catch (error) {
      reply = { type: 'reply', inReplyTo: requestId, error: errorText(error), ...(error instanceof CancelledError && { cancelled: true as const }) };
    } finally {
      this.running.delete(requestId);
    }
    if (!cancel.isCancellationRequested) await this.send(reply);
  }

  private async send(message: ReplyMessage | ProgressMessage): Promise<void> {
    const body = 'body' in message ? message.body : undefined;
    await this.post(message, this.options.transfer ? transferables(body) : undefined);
  }
}
