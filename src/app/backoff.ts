/**
 * Retries with exponential backoff and "full jitter" (reference/ota.md §2, AWS):
 * `sleep = random(0, min(cap, base · 2^attempt))`. The application's SEND and the OTA task
 * use the same policy: OTA has no timing of its own.
 */
export interface RetryPolicy {
  /** base (ms). AWS SDK demos: 500. */
  baseMs: number;
  /** cap (ms). AWS SDK demos: 5 000. */
  capMs: number;
  /** Tries before giving up until the next period. AWS SDK demos: 5. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 500, capMs: 5000, maxAttempts: 5 };

/** The sleep before retry number `attempt` + 1 (attempt 0 = after the first failure). */
export function fullJitter(policy: RetryPolicy, attempt: number, next: () => number): number {
  return next() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
}
