/**
 * Without Redis, cluster workers share one push memory held by the primary: a worker asks over
 * the IPC channel and waits a bounded time (then SharedPushMemory falls back to the worker's
 * own memory). Only hashed keys cross the channel.
 */
import { ExpiringSet } from '../dispatch/push-memory';
import type { MemoryKind, SharedStore } from '../dispatch/shared-push-memory';

export interface MemoryRequest {
  herald: 'memory';
  id: number;
  op: 'has' | 'add';
  kind: MemoryKind;
  key: string;
}

export interface MemoryReply {
  herald: 'memory-reply';
  id: number;
  found?: boolean;
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
  private readonly pending = new Map<number, { settle: (reply: MemoryReply | Error) => void; timer: NodeJS.Timeout }>();
  private readonly stopListening: () => void;

  constructor(private readonly channel: WorkerChannel, private readonly timeoutMs = 100) {
    this.stopListening = channel.onMessage((message) => {
      if (!isReply(message)) return;
      this.pending.get(message.id)?.settle(message);
    });
  }

  async has(kind: MemoryKind, key: string): Promise<boolean> {
    return (await this.request({ herald: 'memory', id: this.nextId++, op: 'has', kind, key })).found === true;
  }

  async add(kind: MemoryKind, key: string): Promise<void> {
    await this.request({ herald: 'memory', id: this.nextId++, op: 'add', kind, key });
  }

  async close(): Promise<void> {
    this.stopListening();
    for (const { settle } of this.pending.values()) settle(new Error('closed'));
  }

  private request(message: MemoryRequest): Promise<MemoryReply> {
    return new Promise((resolve, reject) => {
      const settle = (reply: MemoryReply | Error) => {
        clearTimeout(timer);
        this.pending.delete(message.id);
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      };
      const timer = setTimeout(() => settle(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.set(message.id, { settle, timer });
      this.channel.send(message, (error) => {
        if (error) settle(error);
      });
    });
  }
}

function isReply(message: unknown): message is MemoryReply {
  return typeof message === 'object' && message !== null && (message as { herald?: unknown }).herald === 'memory-reply';
}

function isRequest(message: unknown): message is MemoryRequest {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Partial<MemoryRequest>;
  return m.herald === 'memory' && (m.op === 'has' || m.op === 'add') && typeof m.id === 'number' && typeof m.key === 'string' && (m.kind === 'delivered' || m.kind === 'dead');
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
    const set = this.sets[message.kind];
    if (message.op === 'has') return { herald: 'memory-reply', id: message.id, found: set.has(message.key) };
    // SET NX: an entry already there keeps its expiry.
    if (!set.has(message.key)) set.add(message.key);
    return { herald: 'memory-reply', id: message.id };
  }
}
