/**
 * Every replay explains itself: `--replay ID --trace` of a double-cut or a random-run id
 * prints each cut, the power-on decisions and the flash operations after each cut, as a
 * single-cut replay does — and the operations it prints are the ones the device made.
 */
import { describe, expect, it } from 'vitest';
import { traceLine } from '../../src/core/index.js';
import { CampaignRunner } from '../../src/campaign/runner.js';
import { parseScenarioId } from '../../src/campaign/spec.js';
import { cli } from './cli-helpers.js';

/** The replay's text cut into its blocks: each header line with the trace lines under it. */
function blocks(stdout: string): Array<{ head: string; ops: string[] }> {
  const out: Array<{ head: string; ops: string[] }> = [];
  for (const line of stdout.trimEnd().split('\n')) {
    if (line.startsWith('    ')) out.at(-1)!.ops.push(line.trim());
    else out.push({ head: line, ops: [] });
  }
  return out;
}

describe('a double-cut replay', () => {
  const id = 'swap-scratch@pr485/nrf52840/revert/cut@1000+35';

  it('prints the first cut, the recovery boot up to the second cut with its operations, and every power-on after it', async () => {
    const r = await cli(['campaign', '--replay', id, '--trace']);
    expect(r.code).toBe(1); // a finding of the historical variant
    const b = blocks(r.stdout);
    expect(b.some((x) => /^ {2}op 1000: [EW] .* <- power fails here \(cut\) during the bootloader$/.test(x.head))).toBe(true);
    const recovery = b.find((x) => x.head.startsWith('power-on 1: the recovery boot'))!;
    expect(recovery.head).toMatch(/^power-on 1: the recovery boot \(\d+ flash ops uninterrupted\), cut again: 34 flash ops, then$/);
    expect(recovery.ops).toHaveLength(34);
    const second = b[b.indexOf(recovery) + 1]!;
    expect(second.head).toMatch(/^ {2}its op 35: [EW] \d+ [0-9a-f]+ [0-9a-f]+ {3}<- power fails here \(cut\)$/);

    // The same operations, from the device itself: the flash after the first cut, then an
    // uninterrupted recovery boot.
    const { spec } = parseScenarioId(id);
    const runner = await CampaignRunner.create(spec);
    runner.flashBefore(1000);
    runner.interrupt(runner.ops[999]!, { cut: 1000 });
    runner.device.boot();
    const truth = runner.device.trace();
    expect(recovery.ops).toEqual(truth.slice(0, 34));
    expect(second.head).toContain(truth[34]!);

    const after = b.filter((x) => /^power-on [2-9]: requested /.test(x.head));
    expect(after.length).toBeGreaterThanOrEqual(2);
    for (const p of after) expect(p.ops).toHaveLength(Number(/; (\d+) flash ops$/.exec(p.head)![1]));
    expect(after.some((p) => p.ops.length > 0)).toBe(true);
    expect(b.at(-1)!.head).toMatch(/^result: FAILED \(wrong-end-state\)/);
  });

  it('gives the same account as JSON', async () => {
    const r = await cli(['campaign', '--replay', id, '--trace', '--json']);
    const j = JSON.parse(r.stdout);
    expect(j.recovery.ops).toHaveLength(34);
    expect(j.recovery.cut).toMatchObject({ kind: expect.stringMatching(/^[EW]$/) });
    expect(j.calls.filter((c: { kind: string }) => c.kind === 'boot').length).toBeGreaterThanOrEqual(2);
  });
});

describe('a random-run replay', () => {
  const id = 'swap-scratch/k64f/revert/cut#7';

  it('prints every aimed power-on — the operations before its cut and the one it cut — then the power-ons after them', async () => {
    const r = await cli(['campaign', '--replay', id, '--trace']);
    expect(r.code).toBe(0);
    const b = blocks(r.stdout);
    const aimed = b.filter((x) => /^power-on \d+: aimed at its op \d+/.test(x.head));
    expect(aimed.length).toBeGreaterThanOrEqual(1);
    const cuts = b.filter((x) => /^ {2}its op \d+: [EW] .* <- power fails here \(cut\)$/.test(x.head));
    expect(cuts.length).toBeGreaterThanOrEqual(1);

    // The first aimed power-on starts from the staged device: its operations are the
    // uninterrupted update's first ones, and the one it cut is the next.
    const { spec } = parseScenarioId(id);
    const runner = await CampaignRunner.create(spec);
    const first = aimed[0]!;
    const at = Number(/aimed at its op (\d+)/.exec(first.head)![1]);
    expect(first.ops).toEqual(runner.ops.slice(0, at - 1).map(traceLine));
    expect(b[b.indexOf(first) + 1]!.head).toContain(traceLine(runner.ops[at - 1]!));

    const after = b.filter((x) => /^power-on \d+: requested /.test(x.head));
    expect(after.length).toBeGreaterThanOrEqual(1);
    for (const p of [...after, ...aimed]) {
      const count = /; (\d+) flash ops(, then)?$/.exec(p.head);
      if (count) expect(p.ops).toHaveLength(Number(count[1]));
    }
    expect(b.at(-1)!.head).toBe('result: ok — the device recovered to the uninterrupted end state');
  });

  it('counts as many cuts in its account as its result does', async () => {
    const r = await cli(['campaign', '--replay', id, '--json']);
    const j = JSON.parse(r.stdout);
    const cut = j.aimed.filter((a: { cut?: string }) => a.cut !== undefined).length;
    expect(j.detail).toBe(`${cut} cuts`);
  });
});
