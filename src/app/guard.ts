/**
 * Checks, from the two records only — the application's critical intervals as they end, the
 * OTA task's flash operations as they start — that no OTA flash operation overlaps
 * SENSOR_INIT or SEND. It shares nothing with the rule that keeps them apart
 * (Application.mayStartFlash), so it catches that rule being wrong.
 */
export class CriticalGuard {
  /** [start, end) pairs of flash operations that may still overlap a critical interval. */
  private ops: number[] = [];
  violations = 0;

  /** Whether any flash operation may still overlap a later critical interval (else `critical` has nothing to do). */
  get watching(): boolean {
    return this.ops.length > 0;
  }

  flashOp(start: number, end: number): void {
    this.ops.push(start, end);
  }

  critical(start: number, end: number): void {
    const ops = this.ops;
    if (!ops.length) return;
    let keep = 0;
    for (let i = 0; i < ops.length; i += 2) {
      const a = ops[i]!;
      const b = ops[i + 1]!;
      if (a < end && b > start) this.violations++;
      // Later critical intervals start after this one ends: only operations running past it matter.
      if (b > end) {
        ops[keep++] = a;
        ops[keep++] = b;
      }
    }
    ops.length = keep;
  }
}
