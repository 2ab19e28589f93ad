/**
 * Waits for `promise`, at most `ms`, keeping the process alive meanwhile. The http
 * transport's h2c sessions are unref'd, so awaiting their close can leave a promise pending
 * with nothing left to run: Node then exits with code 13 (unsettled top-level await)
 * instead of the command's own exit code. A referenced timer prevents that.
 */
export async function settle(promise: Promise<unknown>, ms = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
