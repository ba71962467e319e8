/**
 * Errors a user can cause. Each carries the process exit code the CLI uses for it and a
 * one-line message naming the offending value and what was expected (see DESIGN.md,
 * "Public contracts": 0 ok, 1 a check failed, 2 bad usage or unreadable input).
 */
export class BrickproofError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad flag, a bad value, an impossible layout, an unreadable or malformed input: exit 2. */
export class UsageError extends BrickproofError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** The input was fine but the check it asked for failed (bad image, bricked scenario): exit 1. */
export class CheckFailed extends BrickproofError {
  constructor(message: string) {
    super(message, 1);
  }
}
