import { expect, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Runs `brickproof …` in-process; returns the exit code and what it printed. */
export async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // A turn of the event loop first: a test that runs many commands in a row would otherwise
  // keep its worker from answering vitest for its whole length (test/helpers/yield-between-tests.ts).
  await new Promise<void>((resolve) => setImmediate(resolve));
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * A report without what differs run to run: timings, and what the memo did (how many states
 * each thread met depends on which units it ran).
 */
export function withoutTimes(report: { summary: Array<Record<string, unknown>>; failures: unknown[] }) {
  return { summary: report.summary.map(({ wallMs: _w, scenariosPerSecond: _s, powerOnStates: _p, memoHits: _h, ...rest }) => rest), failures: report.failures };
}

/** `brickproof campaign …argv` is refused: exit 2, one line on stderr matching `pattern`. */
export async function expectRefused(argv: string[], pattern: RegExp): Promise<void> {
  const r = await cli(['campaign', ...argv]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}
