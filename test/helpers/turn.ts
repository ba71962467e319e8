/**
 * Hands the event loop back for one turn. Long synchronous test bodies call it now and then
 * so their vitest worker can answer the runner's messages (see yield-between-tests.ts).
 */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
