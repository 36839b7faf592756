/** Waiting for work no longer than a request's deadline (epoch ms); the work itself is not cancelled. */
export async function untilDeadline<T>(work: Promise<T>, deadline: number, now: number = Date.now()): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - now));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
