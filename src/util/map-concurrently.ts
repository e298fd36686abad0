/**
 * `Promise.all(items.map(work))` with at most `limit` pieces of work under way at once; results
 * in the order of `items`. For work that mostly waits (files, child processes), where running a
 * few side by side hides the waits without starting hundreds at once. The first failure rejects
 * the whole; work already started still runs to its end, and no new work starts.
 */
export async function mapConcurrently<Item, Result>(
  items: readonly Item[],
  limit: number,
  work: (item: Item, index: number) => Promise<Result>,
): Promise<Result[]> {
  const results = new Array<Result>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await work(items[index] as Item, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
