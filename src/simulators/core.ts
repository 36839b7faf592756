/**
 * What both simulators share: the TCP front door (so TLS can be refused on demand and every
 * socket closed on shutdown), the request log with its events, faults and per-token memory.
 */
import { EventEmitter } from 'node:events';
import { AddressInfo, Server as NetServer, Socket, createServer } from 'node:net';
import { FaultState, Faults, TLS_HANDSHAKE_FAILURE_ALERT } from './faults';
import { ReceivedPush } from './record';
import { shortToken } from './scenarios';

export type SimulatorLog = (line: string) => void;

export interface SimulatorEvents {
  /** A push request arrived (not yet answered). */
  request: [ReceivedPush];
  /** A push request was answered; `status` is set. */
  push: [ReceivedPush];
}

/** The API common to the APNs and FCM simulators. */
export interface Simulator extends EventEmitter<SimulatorEvents> {
  readonly host: string;
  readonly port: number;
  /** `https://host:port` (IPv6 hosts in brackets). */
  readonly url: string;
  /** Push requests since start or the last reset, oldest first (at least the latest `maxRecords`, trimmed in batches). */
  readonly received: ReceivedPush[];
  /** Pushes answered since start or the last reset (not capped). */
  readonly answeredCount: number;
  /** Forgets received pushes, which `flaky…` tokens already failed once, and all faults. */
  reset(): void;
  /** Replaces the active faults (`setFaults({})` clears them). */
  setFaults(faults: Faults): void;
  /** Resolves with the answered records once `count` pushes have been answered since the last reset. */
  waitForPushes(count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
  close(): Promise<void>;
}

export class SimulatorCore extends EventEmitter<SimulatorEvents> {
  readonly received: ReceivedPush[] = [];
  readonly faults = new FaultState();
  private readonly flakyFailed = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private frontDoor?: NetServer;
  host = '';
  port = 0;
  answeredCount = 0;

  constructor(
    private readonly provider: 'apns' | 'fcm',
    private readonly log: SimulatorLog,
    /** Older records are dropped beyond this, so a long benchmark cannot exhaust memory. */
    private readonly maxRecords = 10_000,
  ) {
    super();
  }

  get url(): string {
    return `https://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Listens on host:port and hands each accepted socket to `tlsServer` unless TLS is failing. */
  async listen(tlsServer: EventEmitter, host: string, port: number): Promise<void> {
    const frontDoor = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      if (this.faults.current.tlsFail) {
        socket.resume();
        socket.end(TLS_HANDSHAKE_FAILURE_ALERT);
        return;
      }
      tlsServer.emit('connection', socket);
    });
    this.frontDoor = frontDoor;
    await new Promise<void>((resolve, reject) => {
      frontDoor.once('error', reject);
      frontDoor.listen(port, host, () => {
        frontDoor.off('error', reject);
        resolve();
      });
    });
    this.host = host;
    this.port = (frontDoor.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const frontDoor = this.frontDoor;
    if (!frontDoor) return;
    this.frontDoor = undefined;
    const closed = new Promise<void>((resolve) => frontDoor.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  reset(): void {
    this.received.length = 0;
    this.answeredCount = 0;
    this.flakyFailed.clear();
    this.faults.set({});
  }

  setFaults(faults: Faults): void {
    this.faults.set(faults);
  }

  /** True the first time a `flaky…` token is seen (it then fails once), false afterwards. */
  firstFlakyAttempt(token: string): boolean {
    if (this.flakyFailed.has(token)) return false;
    this.flakyFailed.add(token);
    return true;
  }

  arrived(push: ReceivedPush): void {
    this.received.push(push);
    // Trimmed in batches: one splice per push would cost O(maxRecords) each at benchmark rates.
    const slack = Math.max(1, Math.floor(this.maxRecords / 10));
    if (this.received.length >= this.maxRecords + slack) this.received.splice(0, this.received.length - this.maxRecords);
    this.emit('request', push);
  }

  answered(push: ReceivedPush, status: number, reason?: string): void {
    push.status = status;
    push.reason = reason;
    push.answeredAt = Date.now();
    this.answeredCount += 1;
    this.log(describe(this.provider, push));
    this.emit('push', push);
  }

  waitForPushes(count: number, timeoutMs = 5000): Promise<ReceivedPush[]> {
    const answered = (): ReceivedPush[] => this.received.filter((push) => push.status !== undefined);
    if (this.answeredCount >= count) return Promise.resolve(answered());
    return new Promise((resolve, reject) => {
      const onPush = (): void => {
        if (this.answeredCount < count) return;
        clearTimeout(timer);
        this.off('push', onPush);
        resolve(answered());
      };
      const timer = setTimeout(() => {
        this.off('push', onPush);
        reject(new Error(`${this.provider} simulator: ${this.answeredCount} of ${count} pushes after ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('push', onPush);
    });
  }
}

/** One log line per push; decrypted content is shown on purpose: this is a local dev tool. */
function describe(provider: string, push: ReceivedPush): string {
  const outcome = push.reason ? `${push.status} ${push.reason}` : `${push.status}`;
  let line = `[${provider}] ${outcome} token=${shortToken(push.token)} bytes=${push.payloadBytes}`;
  if (push.decrypted?.ok) line += ` decrypted(${push.decrypted.mac} mac)=${push.decrypted.plaintext}`;
  else if (push.decrypted) line += ` decrypt failed: ${push.decrypted.error}`;
  return line;
}

/** A timer that never keeps the process alive on its own: the listening socket does that. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
