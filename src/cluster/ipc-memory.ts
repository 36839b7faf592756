/**
 * Without Redis, cluster workers share one push memory held by the primary: a worker asks over
 * the IPC channel and waits a bounded time (then SharedPushMemory falls back to the worker's
 * own memory). Only hashed keys cross the channel. Questions asked in the same turn of the
 * event loop travel as one message: under load, IPC messages (not lookups) are the cost.
 */
import { ExpiringSet } from '../dispatch/push-memory';
import type { MemoryKind, SharedStore } from '../dispatch/shared-push-memory';

export interface MemoryQuestion {
  id: number;
  op: 'has' | 'add';
  kind: MemoryKind;
  key: string;
}

export interface MemoryAnswer {
  id: number;
  found?: boolean;
}

export interface MemoryRequest {
  herald: 'memory';
  questions: MemoryQuestion[];
}

export interface MemoryReply {
  herald: 'memory-reply';
  answers: MemoryAnswer[];
}

/** The worker's end of the IPC channel (`process` in a cluster worker). */
export interface WorkerChannel {
  send(message: MemoryRequest, callback: (error: Error | null) => void): void;
  onMessage(listener: (message: unknown) => void): () => void;
}

export function processChannel(proc: NodeJS.Process = process): WorkerChannel {
  return {
    send(message, callback) {
      if (!proc.send || !proc.connected) return callback(new Error('not connected to the cluster primary'));
      proc.send(message, undefined, {}, callback);
    },
    onMessage(listener) {
      proc.on('message', listener);
      return () => proc.off('message', listener);
    },
  };
}

export class IpcStore implements SharedStore {
  readonly name = 'cluster primary';
  private nextId = 1;
  private readonly pending = new Map<number, { settle: (answer: MemoryAnswer | Error) => void; timer: NodeJS.Timeout }>();
  private queued: MemoryQuestion[] = [];
  private readonly stopListening: () => void;

  constructor(private readonly channel: WorkerChannel, private readonly timeoutMs = 100) {
    this.stopListening = channel.onMessage((message) => {
      if (!isReply(message)) return;
      for (const answer of message.answers) this.pending.get(answer.id)?.settle(answer);
    });
  }

  async has(kind: MemoryKind, key: string): Promise<boolean> {
    return (await this.ask({ id: this.nextId++, op: 'has', kind, key })).found === true;
  }

  async add(kind: MemoryKind, key: string): Promise<void> {
    await this.ask({ id: this.nextId++, op: 'add', kind, key });
  }

  async close(): Promise<void> {
    this.stopListening();
    this.queued = [];
    for (const { settle } of this.pending.values()) settle(new Error('closed'));
  }

  private ask(question: MemoryQuestion): Promise<MemoryAnswer> {
    return new Promise((resolve, reject) => {
      const settle = (answer: MemoryAnswer | Error) => {
        clearTimeout(timer);
        this.pending.delete(question.id);
        if (answer instanceof Error) reject(answer);
        else resolve(answer);
      };
      const timer = setTimeout(() => settle(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.set(question.id, { settle, timer });
      if (this.queued.push(question) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const questions = this.queued;
    this.queued = [];
    this.channel.send({ herald: 'memory', questions }, (error) => {
      if (error) for (const q of questions) this.pending.get(q.id)?.settle(error);
    });
  }
}

function isReply(message: unknown): message is MemoryReply {
  return typeof message === 'object' && message !== null && (message as { herald?: unknown }).herald === 'memory-reply'
    && Array.isArray((message as MemoryReply).answers);
}

function isRequest(message: unknown): message is MemoryRequest {
  return typeof message === 'object' && message !== null && (message as { herald?: unknown }).herald === 'memory'
    && Array.isArray((message as MemoryRequest).questions);
}

function isQuestion(q: unknown): q is MemoryQuestion {
  if (typeof q !== 'object' || q === null) return false;
  const m = q as Partial<MemoryQuestion>;
  return (m.op === 'has' || m.op === 'add') && typeof m.id === 'number' && typeof m.key === 'string' && (m.kind === 'delivered' || m.kind === 'dead');
}

/** The primary's memory: answers MemoryRequests from any worker. */
export class PrimaryMemory {
  private readonly sets: Record<MemoryKind, ExpiringSet>;

  constructor(settings: { ttl_seconds: number; max_entries: number }, now: () => number = Date.now) {
    const set = () => new ExpiringSet(settings.ttl_seconds * 1000, settings.max_entries, now);
    this.sets = { delivered: set(), dead: set() };
  }

  /** The reply to send back, or undefined when the message is not a memory request. */
  answer(message: unknown): MemoryReply | undefined {
    if (!isRequest(message)) return undefined;
    return { herald: 'memory-reply', answers: message.questions.filter(isQuestion).map((q) => this.answerOne(q)) };
  }

  private answerOne(q: MemoryQuestion): MemoryAnswer {
    const set = this.sets[q.kind];
    if (q.op === 'has') return { id: q.id, found: set.has(q.key) };
    // SET NX: an entry already there keeps its expiry.
    if (!set.has(q.key)) set.add(q.key);
    return { id: q.id };
  }
}
