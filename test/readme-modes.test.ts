/**
 * README's "MCUboot's other modes" table and its line in "What is built" give, per mode, the
 * recorded cases (steps), sweep cut points and campaign scenarios: they must be the counts the
 * tests run — the recordings (test/fixtures/vectors/mcuboot-modes, replayed by
 * test/conformance/mcuboot-modes.test.ts) and the campaigns (test/helpers/modes-campaigns.ts,
 * whose operation counts test/campaign/modes.test.ts checks).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allModesCases } from './conformance/harness.js';
import { MODE_CAMPAIGNS, type ModeName } from './helpers/modes-campaigns.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf("## MCUboot's other modes"), readme.indexOf('\n## ', readme.indexOf("## MCUboot's other modes") + 1));
const number = (cell: string) => (cell.trim() === '—' ? 0 : Number(cell.replace(/\s/g, '')));
const rows = section
  .split('\n')
  .filter((l) => l.startsWith('| ') && !l.startsWith('| mode') && !l.startsWith('| ---'))
  .map((l) => {
    const cells = l.split('|').slice(1, -1);
    const [, cases, steps] = /^\s*(\d+) \((\d+)\)\s*$/.exec(cells[2]!) ?? [];
    return { mode: cells[0]!.trim() as ModeName, cases: Number(cases), steps: Number(steps), sweepPoints: number(cells[3]!), scenarios: number(cells[4]!) };
  });

/** The recorded builds of each mode (test/fixtures/vectors/mcuboot-modes/manifest.json). */
const BUILDS: Record<ModeName, string[]> = {
  'direct-xip': ['dxip'],
  'direct-xip with revert': ['dxip-revert'],
  'ram-load': ['ramload'],
  'ram-load with revert': ['ramload-revert'],
  'multi-image with dependencies': ['multi-scratch'],
  'downgrade prevention': ['overwrite-downgrade', 'scratch-downgrade'],
  'hardware rollback counters': ['overwrite-hwrb', 'scratch-hwrb'],
  bootstrap: ['scratch-bootstrap', 'move-bootstrap', 'offset-bootstrap'],
  'encrypted images': ['scratch-enc'],
};

const cases = allModesCases();
const measured = (mode: ModeName) => {
  const mine = cases.filter((c) => BUILDS[mode].includes(c.build.name));
  return {
    mode,
    cases: mine.length,
    steps: mine.reduce((n, c) => n + c.steps.length, 0),
    sweepPoints: mine.reduce((n, c) => n + c.sweeps.reduce((m, s) => m + s.points, 0), 0),
    scenarios: MODE_CAMPAIGNS.filter((c) => c.mode === mode).reduce((n, c) => n + Object.values(c.ops).reduce((m, k) => m + k, 0), 0),
  };
};

describe("README's counts for MCUboot's other modes", () => {
  it('has a row for every mode, and every recorded build belongs to one', () => {
    expect(rows.map((r) => r.mode).sort()).toEqual(Object.keys(BUILDS).sort());
    expect(new Set(cases.map((c) => c.build.name))).toEqual(new Set(Object.values(BUILDS).flat()));
  });

  for (const mode of Object.keys(BUILDS) as ModeName[]) {
    it(`${mode}: the recorded cases, steps, sweep cut points and campaign scenarios the tests run`, () => {
      expect(rows.find((r) => r.mode === mode)).toEqual(measured(mode));
    });
  }

  it('"What is built" gives the totals', () => {
    const all = (Object.keys(BUILDS) as ModeName[]).map(measured);
    const sum = (k: 'cases' | 'steps' | 'sweepPoints' | 'scenarios') => all.reduce((n, m) => n + m[k], 0).toLocaleString('en').replace(/,/g, ' ');
    const line = readme.split('\n').find((l) => l.startsWith('| Bootloader modes:'))!;
    expect(line).toContain(`all ${sum('cases')} recorded cases (${sum('steps')} steps) and ${sum('sweepPoints')} sweep cut points; ${sum('scenarios')} campaign scenarios`);
  });
});
