/**
 * Campaign speed, side by side in one run (the machine is shared: every table says what the
 * load was while it ran):
 *
 * 1. single cuts: every cut point of a permanent upgrade of maximal images on nrf52840, per
 *    strategy, on one thread and on all; the snapshot method against replay-from-power-on;
 *    and the single-cut plan with the flash digest off (as it runs), kept up, and with a
 *    memo at every power-on (what a memo would cost it) — issue 5's and issue 14's targets;
 * 2. the exhaustive double plan (every first cut × every operation of its recovery boot), all
 *    four strategies × test, perm and revert, maximal images on nrf52840, on all cores —
 *    issue 14: under 60 s of wall time — with the memo's distinct states and hits, and the
 *    memo-free cost estimated from a sample of first cuts;
 * 3. the exhaustive triple plan for swap-scratch perm on k64f: time and scenario count;
 * 4. the whole command as a user times it (`brickproof campaign --strategy swap-scratch
 *    --upgrade perm`, default options; issue 14: ≤ 0.35 s) and where its time goes.
 *
 * `--only single,double,triple,cold` runs some of them. `--baseline DIR` (a built checkout of
 * another version, e.g. `git archive main | tar -x -C DIR`, then its build) times that
 * version's command in the same turns, for a ratio measured side by side.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CampaignPool } from '../src/node/pool.js';
import { CampaignRunner } from '../src/campaign/runner.js';
import { UPGRADES, type CampaignSpec } from '../src/campaign/spec.js';
import { SWAP_STRATEGIES as BOOT_STRATEGIES } from '../src/image/strategy.js';
import { median, printTable, round3, writeResults, type Row } from './report.js';

const spec = (over: Partial<CampaignSpec>): CampaignSpec => ({
  device: 'nrf52840', strategy: 'swap-scratch', upgrade: 'perm', plan: 'exhaustive', fault: 'cut', imageSize: 'max', seed: 1, sample: 0, ...over,
});

const root = fileURLToPath(new URL('..', import.meta.url));
const load = () => loadavg()[0].toFixed(1);
const units = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Runs every unit of a campaign through a pool; wall ms, scenarios, failures and the memo's figures. */
async function timed(pool: CampaignPool, s: CampaignSpec, count: number): Promise<{ ms: number; scenarios: number; failures: number }> {
  const t0 = performance.now();
  let scenarios = 0;
  let failures = 0;
  for await (const ev of pool.run(s, units(count), { counted: true })) {
    if ('unitDone' in ev) continue;
    if ('passed' in ev) {
      scenarios += ev.passed;
      continue;
    }
    scenarios++;
    if (!ev.ok) failures++;
  }
  return { ms: performance.now() - t0, scenarios, failures };
}

/** Milliseconds of one call of each, best of `rounds`, the calls taking turns round by round. */
function bestOf<K extends string>(rounds: number, fns: Record<K, () => unknown>): Record<K, number> {
  const best = {} as Record<K, number>;
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(fns) as Array<[K, () => unknown]>) {
      const t0 = performance.now();
      fn();
      const ms = performance.now() - t0;
      best[name] = Math.min(best[name] ?? Infinity, ms);
    }
  }
  return best;
}

async function single(json: Record<string, unknown>): Promise<void> {
  const cores = availableParallelism();
  const rows: Row[] = [];
  const out: Record<string, unknown>[] = [];
  const one = new CampaignPool(1);
  const all = new CampaignPool(cores, { workersWorthMs: 0 });
  for (const strategy of BOOT_STRATEGIES) {
    const s = spec({ strategy });
    const count = (await one.runner(s)).units;
    // Warm both pools on this campaign (threads started, code optimized, runners built),
    // then time each, best of three.
    await timed(one, s, count);
    await timed(all, s, count);
    const t1: number[] = [];
    const tn: number[] = [];
    let r1 = { ms: 0, scenarios: 0, failures: 0 };
    for (let i = 0; i < 3; i++) {
      r1 = await timed(one, s, count);
      t1.push(r1.ms);
      tn.push((await timed(all, s, count)).ms);
    }
    const ms1 = Math.min(...t1);
    const msN = Math.min(...tn);
    rows.push({ strategy, 'cut points': r1.scenarios, failures: r1.failures, '1 thread ms': Math.round(ms1), [`${cores} threads ms`]: Math.round(msN), speedup: round3(ms1 / msN), load: load() });
    out.push({ strategy, device: 'nrf52840', upgrade: 'perm', scenarios: r1.scenarios, failures: r1.failures, oneThreadMs: round3(ms1), allThreadsMs: round3(msN), threads: cores, speedup: round3(ms1 / msN) });
  }
  await one.close();
  await all.close();
  printTable('Single cuts: a permanent upgrade of maximal images, nrf52840 (threads warm, best of 3)', rows);
  json.singleCut = out;

  // The digest: off (as the exhaustive plan runs), kept up by the flash model, and taken at
  // every power-on with a memo (what a memo would cost this plan). One thread, in turns.
  const digestRows: Row[] = [];
  const digestOut: Record<string, unknown>[] = [];
  for (const strategy of BOOT_STRATEGIES) {
    for (const upgrade of UPGRADES) {
      const s = spec({ strategy, upgrade });
      const off = await CampaignRunner.create(s);
      const kept = await CampaignRunner.create(s);
      kept.device.core.enableDigest();
      const n = off.units;
      const run = (r: CampaignRunner) => () => {
        for (const _ of r.run(units(n)));
      };
      const memoRun = () => {
        const r = memoRunner;
        r.memo!.clear(); // a fresh memo each round: what one campaign pays
        for (const _ of r.run(units(n)));
      };
      const memoRunner = await CampaignRunner.create(s, { memo: true });
      const best = bestOf(5, { off: run(off), kept: run(kept), memo: memoRun });
      digestRows.push({ strategy, upgrade, 'cut points': n, 'digest off ms': round3(best.off), 'digest kept ms': round3(best.kept), 'memo ms': round3(best.memo), 'kept/off': round3(best.kept / best.off), 'memo/off': round3(best.memo / best.off), load: load() });
      digestOut.push({ strategy, upgrade, scenarios: n, digestOffMs: round3(best.off), digestKeptMs: round3(best.kept), memoMs: round3(best.memo) });
    }
  }
  printTable('Single cuts, nrf52840, one thread: flash digest off (as the plan runs) / kept up by every operation / with a memo at every power-on (best of 5, in turns)', digestRows);
  json.singleCutDigest = digestOut;

  // Snapshot method vs replay-from-power-on, same scenarios, same process, interleaved.
  const runner = await CampaignRunner.create(spec({}));
  const cut = runner.cutPoints;
  const pick = Array.from({ length: 100 }, (_, i) => 1 + Math.floor((i * cut) / 100));
  const plain = await CampaignRunner.create(spec({}));
  // MCUboot's simulator also re-validates every image at every power-on: the same replay
  // with the core's known-image cache off (every validation runs SHA-256 over the image).
  plain.device.core.setCtrl('CTRL_KNOWN_COUNT', 0);
  const per = (f: (g: number) => unknown) => () => pick.forEach(f);
  const t = bestOf(5, { snap: per((g) => runner.single(g)), power: per((g) => runner.singleFromPowerOn(g)), rehash: per((g) => plain.singleFromPowerOn(g)) });
  const ms = (x: number) => round3(x / pick.length);
  printTable('swap-scratch perm, nrf52840: one scenario (cut + recovery boots + oracle), 100 cut points spread over the update', [
    { method: 'snapshot advanced in place, known-image digests (brickproof)', 'ms per scenario': ms(t.snap), 'speed-up': 1 },
    { method: 'replay from power-on, known-image digests', 'ms per scenario': ms(t.power), 'speed-up': round3(t.power / t.snap) },
    { method: 'replay from power-on, every image re-hashed (MCUboot simulator style)', 'ms per scenario': ms(t.rehash), 'speed-up': round3(t.rehash / t.snap) },
  ]);
  json.snapshotVsPowerOn = { snapshotMsPerScenario: ms(t.snap), powerOnMsPerScenario: ms(t.power), speedup: round3(t.power / t.snap), powerOnRehashMsPerScenario: ms(t.rehash), speedupOverRehash: round3(t.rehash / t.snap) };
}

async function double(json: Record<string, unknown>): Promise<void> {
  const cores = availableParallelism();
  const pool = new CampaignPool(cores);
  const rows: Row[] = [];
  const out: Record<string, unknown>[] = [];
  const loads: number[] = [];
  const t0 = performance.now();
  // CPU time of the whole process (every thread): what the sweep costs however loaded the
  // machine; on an idle machine its wall time is about this divided by the threads.
  const c0 = process.cpuUsage();
  let total = 0;
  for (const strategy of BOOT_STRATEGIES) {
    for (const upgrade of UPGRADES) {
      const s = spec({ strategy, upgrade, plan: 'double' });
      const count = (await pool.runner(s)).units;
      const r = await timed(pool, s, count);
      const m = pool.memoStats(s);
      total += r.scenarios;
      loads.push(loadavg()[0]);
      rows.push({ strategy, upgrade, 'first cuts': count, scenarios: r.scenarios, failures: r.failures, 'wall s': round3(r.ms / 1000), 'scen/s': Math.round((r.scenarios * 1000) / r.ms), states: m.powerOnStates, 'memo hits': m.memoHits, load: load() });
      out.push({ strategy, upgrade, firstCuts: count, scenarios: r.scenarios, failures: r.failures, wallMs: Math.round(r.ms), powerOnStates: m.powerOnStates, memoHits: m.memoHits });
    }
  }
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuS = (c.user + c.system) / 1e6;
  await pool.close();
  rows.push({ strategy: 'all', upgrade: 'test,perm,revert', scenarios: total, 'wall s': round3(wall / 1000), 'scen/s': Math.round((total * 1000) / wall), load: `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` });
  rows.push({ strategy: 'all', upgrade: 'CPU s (all threads)', 'wall s': round3(cpuS) });
  printTable(`Exhaustive double cuts, maximal images, nrf52840, ${cores} threads (target: all of it under 60 s)`, rows);

  // Without the memo every scenario runs its recovery: its cost per scenario, measured on
  // six first cuts spread over each update (one thread), times the campaign's scenarios.
  const estRows: Row[] = [];
  let estimate = 0;
  for (const [i, strategy] of BOOT_STRATEGIES.entries()) {
    for (const [j, upgrade] of UPGRADES.entries()) {
      const s = spec({ strategy, upgrade, plan: 'double' });
      const plain = await CampaignRunner.create(s, { memo: false });
      const sample = Array.from({ length: 6 }, (_, k) => 1 + Math.floor(((k + 0.5) * plain.units) / 6));
      const t = performance.now();
      let n = 0;
      for (const _ of plain.run(sample)) n++;
      const perScenario = (performance.now() - t) / n;
      const scenarios = out[i * UPGRADES.length + j].scenarios as number;
      estimate += (perScenario * scenarios) / 1000;
      estRows.push({ strategy, upgrade, 'sampled scenarios': n, 'ms per scenario': round3(perScenario), 'estimated s (one thread)': round3((perScenario * scenarios) / 1000), load: load() });
    }
  }
  estRows.push({ strategy: 'all', upgrade: 'test,perm,revert', 'estimated s (one thread)': round3(estimate), 'estimated s (all threads)': round3(estimate / cores) });
  printTable('The same campaigns without the memo (--no-memo): estimated from six first cuts each', estRows);
  json.doubleExhaustive = { threads: cores, wallMs: Math.round(wall), cpuS: round3(cpuS), scenarios: total, campaigns: out, memoFreeEstimateOneThreadS: round3(estimate), loadAvg: loads.map((l) => round3(l)) };
}

async function triple(json: Record<string, unknown>): Promise<void> {
  const cores = availableParallelism();
  const pool = new CampaignPool(cores);
  const s = spec({ device: 'k64f', plan: 'triple' });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const count = (await pool.runner(s)).units;
  const r = await timed(pool, s, count);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuS = (c.user + c.system) / 1e6;
  const m = pool.memoStats(s);
  await pool.close();
  printTable(`Exhaustive triple cuts, swap-scratch perm, k64f, ${cores} threads`, [
    { 'first cuts': count, scenarios: r.scenarios, failures: r.failures, 'wall s': round3(wall / 1000), 'CPU s': round3(cpuS), 'scen/s': Math.round((r.scenarios * 1000) / wall), states: m.powerOnStates, 'memo hits': m.memoHits, load: load() },
  ]);
  json.tripleExhaustive = { device: 'k64f', strategy: 'swap-scratch', upgrade: 'perm', firstCuts: count, scenarios: r.scenarios, failures: r.failures, wallMs: Math.round(wall), cpuS: round3(cpuS), powerOnStates: m.powerOnStates, memoHits: m.memoHits, threads: cores };
}

/** Wall ms of a command, best and median of `rounds` (the commands taking turns); one given as `{ cwd, argv }` runs in that folder. */
function wallOf(commands: Record<string, string[] | { cwd: string; argv: string[] }>, rounds: number): Record<string, { best: number; median: number }> {
  const times: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, c] of Object.entries(commands)) {
      const { cwd, argv } = Array.isArray(c) ? { cwd: root, argv: c } : c;
      const t0 = performance.now();
      const p = spawnSync(process.execPath, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = performance.now() - t0;
      if (p.status !== 0) throw new Error(`${argv.join(' ')} exited ${p.status}: ${p.stderr}`);
      (times[name] ??= []).push(ms);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { best: Math.min(...v), median: median(v) }]));
}

async function cold(json: Record<string, unknown>): Promise<void> {
  // bin/brickproof.js runs the bundle in dist/: build it as `npm install` does.
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });
  execFileSync(process.execPath, ['scripts/bundle-cli.js'], { cwd: root });
  const bin = 'bin/brickproof.js';
  const flag = process.argv.indexOf('--baseline');
  const baseline = flag >= 0 ? process.argv[flag + 1] : undefined;
  const command = ['campaign', '--strategy', 'swap-scratch', '--upgrade', 'perm'];
  const w = wallOf(
    {
      node: ['-e', '0'],
      help: [bin, 'campaign', '--help'],
      command: [bin, ...command],
      oneThread: [bin, ...command, '--workers', '1'],
      ...(baseline ? { baseline: { cwd: baseline, argv: [bin, ...command] }, baselineOneThread: { cwd: baseline, argv: [bin, ...command, '--workers', '1'] } } : {}),
    },
    15,
  );
  // Where the time goes after the code is loaded, in a fresh process (dist's modules).
  const script = `
    const t = [performance.now()];
    const { compiledModule } = await import('./dist/core/module.js');
    const { CampaignRunner } = await import('./dist/campaign/runner.js');
    t.push(performance.now());
    compiledModule();
    t.push(performance.now());
    const r = await CampaignRunner.create(${JSON.stringify(spec({}))});
    t.push(performance.now());
    let n = 0;
    for (const x of r.run([1])) n++;
    t.push(performance.now());
    for (const x of r.run(Array.from({ length: r.units - 1 }, (_, i) => i + 2))) n++;
    t.push(performance.now());
    console.log(JSON.stringify(t.slice(1).map((x, i) => x - t[i])));`;
  const parts: number[][] = [];
  for (let i = 0; i < 7; i++) parts.push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })));
  const part = (i: number) => round3(median(parts.map((p) => p[i])));
  const rows: Row[] = [
    { what: 'node itself (node -e 0)', ms: round3(w.node.best), median: round3(w.node.median) },
    { what: 'loading the command (campaign --help): node + the bundle', ms: round3(w.help.best), median: round3(w.help.median) },
    { what: '  compiling the WebAssembly core', ms: part(1) },
    { what: '  building the campaign: images, staging, the uninterrupted update recorded', ms: part(2) },
    { what: '  the first scenario', ms: part(3) },
    { what: '  the other 811 scenarios (one thread)', ms: part(4) },
    { what: 'brickproof campaign --strategy swap-scratch --upgrade perm (default options)', ms: round3(w.command.best), median: round3(w.command.median) },
    { what: 'the same with --workers 1', ms: round3(w.oneThread.best), median: round3(w.oneThread.median) },
    ...(baseline
      ? [
          { what: `baseline (${baseline}): the same command, default options`, ms: round3(w.baseline.best), median: round3(w.baseline.median) },
          { what: 'baseline with --workers 1', ms: round3(w.baselineOneThread.best), median: round3(w.baselineOneThread.median) },
          { what: 'this build / baseline, default options (best; median)', ms: round3(w.command.best / w.baseline.best), median: round3(w.command.median / w.baseline.median) },
        ]
      : []),
  ];
  printTable(`The whole command as a user times it (wall, best and median of 15 in turns; load ${load()}; parts: median of 7)`, rows);
  json.coldStart = { nodeMs: round3(w.node.best), helpMs: round3(w.help.best), commandMs: round3(w.command.best), commandMedianMs: round3(w.command.median), oneThreadMs: round3(w.oneThread.best), ...(baseline ? { baselineMs: round3(w.baseline.best), baselineMedianMs: round3(w.baseline.median), baselineOneThreadMs: round3(w.baselineOneThread.best) } : {}), compileMs: part(1), createMs: part(2), firstScenarioMs: part(3), restMs: part(4), load: load() };
}

export async function run(): Promise<void> {
  const flag = process.argv.indexOf('--only');
  const only = flag >= 0 ? process.argv[flag + 1].split(',') : ['single', 'double', 'triple', 'cold'];
  const json: Record<string, unknown> = {};
  if (only.includes('single')) await single(json);
  if (only.includes('double')) await double(json);
  if (only.includes('triple')) await triple(json);
  if (only.includes('cold')) await cold(json);
  writeResults('campaign', json);
}

if (process.argv[1] && /bench[\\/]campaign\.ts$/.test(process.argv[1])) await run();
