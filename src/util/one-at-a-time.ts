/**
 * Returns a wrapper that runs the work given to it one piece at a time, in the order given, even
 * when called from work running side by side. For commands that may not like running twice at
 * once (a key command reading a hardware token, a rate-limited vault behind `sops`).
 */
export function oneAtATime(): <T>(work: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const turn = last.then(work, work);
    // The next piece waits for this one to settle, whether it worked or not.
    last = turn.catch(() => undefined);
    return turn;
  };
}
