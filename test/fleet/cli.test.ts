/**
 * `brickproof fleet`: the command-line contract of issue 11 (the --json shape and event
 * names, --out DIR with the JSON and the SVG chart, exit codes, one-line errors, replay).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLLOUT_EVENTS } from '../../src/fleet/rollout.js';
import { cli } from '../campaign/cli-helpers.js';
import { fleetOf } from './helpers.js';

let dir: string;
const file = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'brickproof-fleet-'));
});

const small = () => fleetOf({ devices: 60, release: { behaviour: { gateway: 'fail-health-check' } } });

describe('brickproof fleet', () => {
  it('prints { groups, events, totals, wallMs } with --json, and exits 0 when nothing bricked', async () => {
    const r = await cli(['fleet', file('small.json', small()), '--days', '1', '--seed', '3', '--workers', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    for (const g of report.groups) expect(Object.keys(g)).toEqual(expect.arrayContaining(['name', 'targeted', 'succeeded', 'rolledBack', 'refused', 'timedOut', 'bricked', 'downloading']));
    for (const e of report.events) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['tMs', 'event', 'group', 'detail']));
      expect(ROLLOUT_EVENTS).toContain(e.event);
    }
    expect(report.events.map((e: { event: string }) => e.event)).toContain('rollout-paused');
    expect(Object.keys(report.totals).sort()).toEqual(['bricked', 'devices', 'refused', 'rolledBack', 'succeeded', 'timedOut']);
    expect(report.totals.devices).toBe(60);
    expect(typeof report.wallMs).toBe('number');
    expect(report.seed).toBe(3);
    expect(report.days).toBe(1);
  });

  it('scales the description to --devices N, keeping the class weights', async () => {
    const r = await cli(['fleet', file('scaled.json', small()), '--devices', '30', '--days', '0.5', '--workers', '1', '--json']);
    const report = JSON.parse(r.stdout);
    expect(report.totals.devices).toBe(30);
    expect(report.classes.map((c: { devices: number }) => c.devices)).toEqual([21, 9]);
  });

  it('writes the JSON report and the SVG chart to --out DIR, and prints the tables', async () => {
    const out = join(dir, 'results');
    const r = await cli(['fleet', file('out.json', small()), '--days', '1', '--workers', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['fleet.json', 'fleet.svg']);
    const report = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8'));
    expect(report.totals.devices).toBe(60);
    const svg = readFileSync(join(out, 'fleet.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('rollout-paused 2.0.0 10%');
    expect(svg).toContain('<title>rolled back</title>');
    expect(r.stdout).toMatch(/^group\s+devices\s+targeted\s+succeeded\s+rolled back\s+refused\s+timed out\s+bricked\s+downloading/);
    expect(r.stdout).toContain('rollout-paused');
    // Never over a previous run's files without --force, refused before the fleet runs.
    const again = await cli(['fleet', join(dir, 'out.json'), '--days', '1', '--workers', '1', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/fleet\.json and fleet\.svg exist already \(--force overwrites\)/);
    const forced = await cli(['fleet', join(dir, 'out.json'), '--days', '0.5', '--workers', '1', '--out', out, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')).days).toBe(0.5);
  });

  it('writes neither file to --out DIR when it cannot write both, and says so in one line', async () => {
    // A directory where the chart should go: the JSON, written first, must not stay behind.
    const out = join(dir, 'half');
    mkdirSync(join(out, 'fleet.svg'), { recursive: true });
    const r = await cli(['fleet', file('half.json', small()), '--days', '0.2', '--workers', '1', '--out', out, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/neither was written/);
    expect(readdirSync(out)).toEqual(['fleet.svg']);
    // A file where the directory should be: refused before the fleet runs.
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'not a directory');
    const b = await cli(['fleet', file('blocked.json', small()), '--days', '0.2', '--workers', '1', '--out', blocked]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--out .*blocked: cannot create the directory/);
    expect(readFileSync(blocked, 'utf8')).toBe('not a directory');
  });

  it('exits 1 when a device bricked, and lists the bricked devices\' replay ids', async () => {
    const buggy = fleetOf({
      devices: 20,
      classes: [{ name: 'old-boot', weight: 1, device: 'k64f', strategy: 'swap-scratch@pr2206', maxSectors: 1024 }],
      release: { size: 'max', rollout: { groups: [100] } },
    });
    const r = await cli(['fleet', file('buggy.json', buggy), '--days', '0.2', '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/20 devices bricked; replay one with: brickproof fleet FLEET.json --replay ID --log/);
    const id = /\s(swap-scratch@pr2206\/k64f\/fleet:old-boot:0.2d\/cut#\d+@2\.0\.0=[\d.]+)/.exec(r.stdout)![1]!;
    const replay = await cli(['fleet', join(dir, 'buggy.json'), '--replay', id, '--log']);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain('upgrade-requested');
    expect(replay.stdout).toMatch(/end: BRICKED at /);
    expect(replay.stderr).toMatch(/bricked/);
  });

  it('replays one device of a run with its milestone log', async () => {
    const r = await cli(['fleet', file('replay.json', small()), '--days', '1', '--workers', '1', '--json']);
    const report = JSON.parse(r.stdout);
    const failed = report.failed[0];
    const replay = await cli(['fleet', join(dir, 'replay.json'), '--replay', failed.id, '--log']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('rollback-detected');
    expect(replay.stdout).toMatch(/2\.0\.0: picked up .*reported failed/);
    expect(replay.stdout).toMatch(/end: runs 1\.0\.0\+0, confirmed/);
    const extra = await cli(['fleet', join(dir, 'replay.json'), '--replay', failed.id, '--seed', '4']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/--seed does not go with --replay/);
  });

  it.each([
    ['an unknown field', { ...small(), colour: 'red' }, /^brickproof fleet: colour: unknown field/],
    ['groups that never reach 100 %', { ...small(), releases: [{ version: '2.0.0', size: 40_000, rollout: { groups: [10, 90] } }] }, /releases\[0\]\.rollout\.groups: the groups reach 90% of the fleet and never 100%/],
    ['a release too large for a class', { ...small(), releases: [{ version: '2.0.0', size: 200_000 }] }, /releases\[0\]\.size: 200000 bytes do not fit class 'gateway'/],
    ['weights that do not add up to a positive number', { ...small(), classes: small().classes.map((c) => ({ ...c, weight: 0 })) }, /classes\[\]\.weight: the weights add up to 0, not a positive number/],
    ['a group percentage over 100', { ...small(), releases: [{ version: '2.0.0', size: 40_000, rollout: { groups: [50, 150] } }] }, /releases\[0\]\.rollout\.groups\[1\]: 150% is over 100/],
    ['a threshold outside 0–100', { ...small(), releases: [{ version: '2.0.0', size: 40_000, rollout: { errorThreshold: 120 } }] }, /releases\[0\]\.rollout\.errorThreshold: 120 is outside 0–100/],
    ['text that is not JSON', '{ "devices": 10,', /is not JSON/],
  ])('refuses %s with one line naming it, exit 2', async (_what, content, message) => {
    const r = await cli(['fleet', file('bad.json', content), '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a missing fleet file and bad flags, exit 2', async () => {
    expect((await cli(['fleet', join(dir, 'nope.json')])).stderr).toMatch(/cannot read fleet file .*nope\.json \(ENOENT\)/);
    expect((await cli(['fleet', file('ok.json', small()), '--days', '0'])).code).toBe(2);
    expect((await cli(['fleet', file('ok.json', small()), '--devices', 'many'])).stderr).toMatch(/--devices: 'many' is not an integer/);
    expect((await cli(['fleet'])).code).toBe(2);
    expect(existsSync(join(dir, 'fleet.json'))).toBe(false);
  });

  it('splits a run into rounds of shards (other machines), and the merge reports what one machine would', async () => {
    const f = file('rounds.json', small());
    const run = ['fleet', f, '--days', '1', '--workers', '1'];
    const files: string[] = [];
    const livesDir = join(dir, 'lives');
    mkdirSync(livesDir);
    // A directory of lives files, as a CI job collects its shards' artifacts.
    const lives = () => (files.length ? ['--lives', livesDir] : []);
    let rounds = 0;
    for (;;) {
      const next = await cli([...run, ...lives(), '--next-round']);
      expect(next.code, next.stderr).toBe(0);
      if (Number(next.stdout) === 0) break;
      rounds++;
      for (const i of [1, 2]) {
        const out = join(livesDir, `round${rounds}-${i}.jsonl`);
        const r = await cli([...run, ...lives(), '--shard', `${i}/2`, '--lives-out', out]);
        expect(r.code, r.stderr).toBe(0);
        files.push(out);
      }
      expect(rounds).toBeLessThan(10);
    }
    expect(rounds).toBeGreaterThanOrEqual(1);
    const merged = JSON.parse((await cli([...run, ...lives(), '--json'])).stdout);
    const single = JSON.parse((await cli([...run, '--json'])).stdout);
    for (const k of ['groups', 'events', 'totals', 'classes', 'failed'] as const) expect(merged[k]).toEqual(single[k]);
    // Lives of another fleet, or a file cut short, are refused.
    expect((await cli(['fleet', f, '--days', '1', '--seed', '2', '--lives', files[0]!, '--json'])).stderr).toMatch(/holds lives of another fleet/);
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, readFileSync(files[0]!, 'utf8').split('\n').slice(0, -2).join('\n'));
    expect((await cli([...run, '--lives', cut, '--json'])).stderr).toMatch(/cut\.jsonl is cut short/);
    expect((await cli([...run, '--shard', '1/2'])).stderr).toMatch(/--shard i\/N and --lives-out FILE go together/);
    // Flags a round does not use are refused, not ignored.
    expect((await cli([...run, '--shard', '1/2', '--lives-out', join(dir, 'x.jsonl'), '--json'])).stderr).toMatch(/--json does not go with --shard/);
    expect((await cli([...run, '--next-round', '--force'])).stderr).toMatch(/--force does not go with --next-round/);
    expect(existsSync(join(dir, 'x.jsonl'))).toBe(false);
  });

  it('reads a device file named by a class, relative to the fleet file', async () => {
    const board = {
      name: 'my-board',
      flash: [{ id: 0, sectors: [[4096, 256]], writeAlign: 4, erasedValue: 255 }],
      areas: { primary: { flash: 0, offset: 65536, size: 262144 }, secondary: { flash: 0, offset: 327680, size: 262144 }, scratch: { flash: 0, offset: 589824, size: 65536 } },
    };
    file('my-board.json', board);
    const description = { ...fleetOf({ devices: 20 }), classes: [{ name: 'custom', weight: 1, deviceFile: 'my-board.json', strategy: 'swap-move' }] };
    const r = await cli(['fleet', file('custom.json', description), '--days', '0.5', '--workers', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).classes[0].device).toBe('my-board');
  });
});
