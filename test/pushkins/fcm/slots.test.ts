/** max_connections: a counting semaphore whose waiters give up at their deadline. */
import { SendSlots } from '../../../src/pushkins/fcm/slots';

describe('SendSlots', () => {
  it('grants up to its capacity at once, then queues in order', async () => {
    const slots = new SendSlots(2);
    const deadline = Date.now() + 1000;
    const a = await slots.acquire(deadline);
    const b = await slots.acquire(deadline);
    const order: string[] = [];
    const c = slots.acquire(deadline).then((release) => { order.push('c'); return release; });
    const d = slots.acquire(deadline).then((release) => { order.push('d'); return release; });
    expect(slots.inFlight).toBe(2);
    expect(slots.queued).toBe(2);

    a!();
    (await c)!();
    b!();
    (await d)!();
    expect(order).toEqual(['c', 'd']);
    expect(slots.inFlight).toBe(0);
    expect(slots.queued).toBe(0);
  });

  it('lets a waiter leave with nothing when its deadline passes first', async () => {
    const slots = new SendSlots(1);
    const held = await slots.acquire(Date.now() + 1000);
    const started = Date.now();
    await expect(slots.acquire(Date.now() + 30)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(slots.queued).toBe(0);
    held!();
    expect(slots.inFlight).toBe(0);
  });

  it('answers at once when the deadline has already passed and no slot is free', async () => {
    const slots = new SendSlots(1);
    await slots.acquire(Date.now() + 1000);
    await expect(slots.acquire(Date.now() - 1)).resolves.toBeUndefined();
  });

  it('ignores a second release of the same slot', async () => {
    const slots = new SendSlots(1);
    const release = await slots.acquire(Date.now() + 1000);
    release!();
    release!();
    expect(slots.inFlight).toBe(0);
    await slots.acquire(Date.now() + 1000);
    expect(slots.inFlight).toBe(1);
  });
});
