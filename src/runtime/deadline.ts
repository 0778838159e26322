/**
 * Waits for `work` at most `ms`; true when it settled (resolved or rejected) in time. The timer is cleared
 * either way, so a bounded wait never keeps the process alive after the work is done.
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
