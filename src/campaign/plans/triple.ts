/**
 * The triple plan: after the first cut g and a second cut k in the first recovery boot, the
 * second recovery boot (the power-on after the second cut) is cut a third time, at each of
 * its operations (or, with `sample` N, N seeded second cuts per first cut and N third cuts
 * per second cut). Unit g gives those scenarios.
 *
 * Under `--fault cut` an interrupted operation changes nothing, so everything after the
 * second cut — the second recovery boot, its cut points and every life after a third cut —
 * depends on the flash after the second cut alone. Most second cuts leave a flash that an
 * earlier one left (once a recovery redoes the interrupted step it walks the states of the
 * uninterrupted update), so the plan keeps, per such flash, the first power-on of each
 * third-cut scenario (memo.ts) and judges them again for the new ids instead of running
 * them again. Without the memo (`--no-memo`) every scenario runs.
 */
import type { StateKey, PowerOn } from '../memo.js';
import { lifeFrom } from '../lifecycle.js';
import { judge, verdict, cutInAppCall, type ScenarioResult } from '../oracle.js';
import type { CampaignRunner, RunEvent } from '../runner.js';
import type { ScenarioRef } from '../spec.js';
import { cutEach, firstCut, sampleCuts } from './double.js';

type Verdict = Omit<ScenarioResult, 'id' | 'unit'>;

interface SecondRecovery {
  key: StateKey;
  /** Per third cut j (index j − 1): the first power-on after it. */
  powerOns: PowerOn[];
  /** Per answer of cutInAppCall: every third cut's verdict, counted, and the failing ones. */
  verdicts: Map<boolean, { passed: number; failed: Array<{ cut3: number; verdict: Verdict }> }>;
}

/** The second recoveries a triple campaign has cut, by the flash they power on from. */
export class TripleCache {
  private readonly byState = new Map<number, SecondRecovery>();
  /** Scenarios judged from a second recovery already cut. */
  hits = 0;

  get(k: StateKey): SecondRecovery | undefined {
    const e = this.byState.get(k[0] + (k[1] & 0x1fffff) * 2 ** 32);
    return e && e.key[1] === k[1] && e.key[2] === k[2] && e.key[3] === k[3] ? e : undefined;
  }

  set(e: SecondRecovery): void {
    this.byState.set(e.key[0] + (e.key[1] & 0x1fffff) * 2 ** 32, e);
  }
}

/** The scenarios of unit g (only one of them with `only`, for a replay). */
export function* triple(runner: CampaignRunner, g: number, only?: { cut2: number; cut3: number }, counted = false): Generator<RunEvent> {
  const { spec, device } = runner;
  const core = device.core;
  const { second, recovery, picks: all } = firstCut(runner, g);
  const picks = only ? all.filter((k) => k === only.cut2) : all;
  // Shared only when nothing after the second cut depends on the scenario: the fault model
  // leaves no seeded bytes and every third cut is taken.
  const shared = runner.memo !== undefined && spec.fault === 'cut' && spec.sample === 0 && only === undefined;
  let applied = 0;
  for (const k of picks) {
    for (; applied < k - 1; applied++) core.applyToSnapshot(second, recovery[applied]);
    // Under `cut` the snapshot is the flash after the second cut: asked about before it is restored.
    const key = shared ? core.snapshotDigest(second) : undefined;
    const known = key && runner.tripleCache.get(key);
    if (known) {
      yield* fromKnown(runner, known, g, k, counted);
      continue;
    }
    core.restore(second);
    runner.interrupt(recovery[k - 1], { cut: g, cut2: k });
    yield* thirdCuts(runner, g, k, only?.cut3, counted, key);
  }
}

/** Every third cut of the power-on after cuts g and k, from the flash as it is now; kept under `key` when given. */
function* thirdCuts(runner: CampaignRunner, g: number, k: number, only: number | undefined, counted: boolean, key?: StateKey): Generator<RunEvent> {
  const core = runner.device.core;
  const third = (runner.thirdSnapshot ??= core.snapshot());
  core.saveSnapshot(third);
  const recovery = runner.recordRecovery();
  let picks = sampleCuts(recovery.length, runner.spec, g, 7919 * k);
  if (only !== undefined) picks = picks.filter((j) => j === only);
  const powerOns: PowerOn[] = [];
  yield* cutEach(runner, g, third, recovery, picks, (j) => ({ cut: g, cut2: k, cut3: j }), counted, (_, life) => {
    if (life.first) powerOns.push(life.first);
  });
  // Kept only when every life is known to its end (a life that ran out of power-ons is not).
  if (key && powerOns.length === picks.length && powerOns.every((p) => lifeFrom(p))) runner.tripleCache.set({ key, powerOns, verdicts: new Map() });
}

/** The third cuts of a second recovery already cut, judged for the scenarios (g, k, ·). */
function* fromKnown(runner: CampaignRunner, known: SecondRecovery, g: number, k: number, counted: boolean): Generator<RunEvent> {
  const cache = runner.tripleCache;
  cache.hits += known.powerOns.length;
  const refOf = (j: number): ScenarioRef => ({ cut: g, cut2: k, cut3: j });
  if (!counted) {
    for (const [i, p] of known.powerOns.entries()) yield judge(runner, refOf(i + 1), g, lifeFrom(p)!);
    return;
  }
  // Counted: the verdicts of these lives differ between scenarios only by whether the first
  // cut hit an application call (oracle.ts, verdict), so they are judged once per answer.
  const appCut = cutInAppCall(runner, refOf(1));
  let v = known.verdicts.get(appCut);
  if (!v) {
    v = { passed: 0, failed: [] };
    for (const [i, p] of known.powerOns.entries()) {
      const one = verdict(runner, refOf(i + 1), lifeFrom(p)!);
      if (one.ok) v.passed++;
      else v.failed.push({ cut3: i + 1, verdict: one });
    }
    known.verdicts.set(appCut, v);
  }
  for (const f of v.failed) yield judge(runner, refOf(f.cut3), g, lifeFrom(known.powerOns[f.cut3 - 1])!);
  if (v.passed) yield { unit: g, passed: v.passed };
}
