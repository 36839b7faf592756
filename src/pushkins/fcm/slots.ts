/**
 * A counting semaphore for `max_connections`: sends beyond it wait their turn in order, but a
 * waiter whose deadline passes leaves the queue with nothing rather than start too late.
 */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  timer: NodeJS.Timeout;
}

export class SendSlots {
  private inUse = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly capacity: number) {}

  /** A release function, or undefined when `deadline` (epoch ms) passed before a slot freed. */
  acquire(deadline: number, now: number = Date.now()): Promise<Release | undefined> {
    if (this.inUse < this.capacity) {
      this.inUse++;
      return Promise.resolve(this.releaser());
    }
    if (deadline <= now) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: (release) => resolve(release),
        timer: setTimeout(() => {
          const index = this.waiting.indexOf(waiter);
          if (index !== -1) this.waiting.splice(index, 1);
          resolve(undefined);
        }, deadline - now),
      };
      this.waiting.push(waiter);
    });
  }

  get inFlight(): number {
    return this.inUse;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next === undefined) {
        this.inUse--;
        return;
      }
      // The slot passes straight to the next waiter, so the count stays the same.
      clearTimeout(next.timer);
      next.grant(this.releaser());
    };
  }
}
