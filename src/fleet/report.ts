/**
 * What a fleet run shows: a row per rollout group (targeted, succeeded, rolled back,
 * refused, timed out, bricked, still downloading), a row per device class, the rollout's
 * events in virtual time, the totals, and the replay ids of the devices that bricked or
 * failed. The columns of a row partition its targeted devices; `bricked` is what the
 * simulation knows and the fleet manager cannot (a bricked device just stops answering), so
 * a bricked device is counted there and not where the manager put it.
 */
import type { FleetPlan } from './description.js';
import type { Cohorts } from './cohorts.js';
import type { Execution, RolloutEvent, Simulation } from './rollout.js';
import { formatTime } from '../app/milestones.js';

export interface Outcomes {
  targeted: number;
  succeeded: number;
  rolledBack: number;
  refused: number;
  timedOut: number;
  bricked: number;
  /** Picked the release up, no outcome yet (downloading, installing, or never to answer). */
  downloading: number;
  /** Offered, not picked up yet. */
  waiting: number;
  /** Offered, withdrawn before it was picked up (an aborted job). */
  canceled: number;
}

export interface GroupRow extends Outcomes {
  name: string;
  release: string;
  label: string;
  /** Devices in the group (it may not have started). */
  devices: number;
  startedAtMs: number | null;
}

export interface ClassRow extends Outcomes {
  class: string;
  device: string;
  strategy: string;
  devices: number;
}

export interface DeviceRef {
  device: number;
  id: string;
  class: string;
  release?: string;
  status: string;
  tMs: number;
}

export interface FleetReport {
  groups: GroupRow[];
  events: RolloutEvent[];
  totals: { devices: number; succeeded: number; rolledBack: number; refused: number; timedOut: number; bricked: number };
  wallMs: number;
  /** The virtual time the report describes. */
  tMs: number;
  days: number;
  seed: number;
  classes: ClassRow[];
  /** Every bricked device and up to 20 failed ones (rolled back, refused, timed out), with replay ids. */
  bricked: DeviceRef[];
  failed: DeviceRef[];
}

const zero = (): Outcomes => ({ targeted: 0, succeeded: 0, rolledBack: 0, refused: 0, timedOut: 0, bricked: 0, downloading: 0, waiting: 0, canceled: 0 });

const COLUMN: Record<Execution['status'], keyof Outcomes> = {
  queued: 'waiting',
  'in-progress': 'downloading',
  succeeded: 'succeeded',
  failed: 'rolledBack',
  rejected: 'refused',
  'timed-out': 'timedOut',
  canceled: 'canceled',
};

export function fleetReport(plan: FleetPlan, co: Cohorts, sim: Simulation, tMs: number, wallMs: number, idOf: (device: number) => string): FleetReport {
  // Each bricked device is put on the execution it was in when it died: its latest offer before.
  const brickedExec = new Map<number, Execution>();
  const brickedAt = new Map<number, number>();
  for (const [device, run] of sim.runs) if (run.brickedAt >= 0 && run.brickedAt <= tMs) brickedAt.set(device, run.brickedAt);
  for (const e of sim.executions) {
    const b = brickedAt.get(e.device);
    if (b !== undefined && e.notifiedAt <= b) brickedExec.set(e.device, e);
  }
  const groups = sim.groups.map((g) => ({ ...zero(), name: g.name, release: plan.releases[g.release]!.name, label: g.label, devices: g.to - g.from, startedAtMs: g.startedAt < 0 ? null : g.startedAt }));
  const classes: ClassRow[] = plan.classes.map((c) => ({ ...zero(), class: c.name, device: c.profile.name, strategy: c.strategyName, devices: 0 }));
  for (const c of co.classOf) classes[c]!.devices++;
  const failed: DeviceRef[] = [];
  for (const e of sim.executions) {
    const col: keyof Outcomes = brickedExec.get(e.device) === e ? 'bricked' : COLUMN[e.status];
    const g = groups[e.group]!;
    const c = classes[co.classOf[e.device]!]!;
    g.targeted++;
    g[col]++;
    c.targeted++;
    c[col]++;
    if ((col === 'rolledBack' || col === 'refused' || col === 'timedOut') && failed.length < 20) {
      failed.push({ device: e.device, id: idOf(e.device), class: plan.classes[co.classOf[e.device]!]!.name, release: plan.releases[e.release]!.name, status: col, tMs: e.endAt });
    }
  }
  const bricked: DeviceRef[] = [...brickedAt].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([device, t]) => ({
    device,
    id: idOf(device),
    class: plan.classes[co.classOf[device]!]!.name,
    release: brickedExec.has(device) ? plan.releases[brickedExec.get(device)!.release]!.name : undefined,
    status: 'bricked',
    tMs: t,
  }));
  const sum = (k: keyof Outcomes) => groups.reduce((n, g) => n + g[k], 0);
  return {
    groups,
    events: sim.events.filter((e) => e.tMs <= tMs),
    totals: { devices: plan.devices, succeeded: sum('succeeded'), rolledBack: sum('rolledBack'), refused: sum('refused'), timedOut: sum('timedOut'), bricked: brickedAt.size },
    wallMs: Math.round(wallMs),
    tMs,
    days: plan.days,
    seed: plan.seed,
    classes,
    bricked,
    failed,
  };
}

/** The report as text: the group table, the class table, the events, the totals. */
export function formatFleetReport(r: FleetReport): string {
  const cols: Array<[string, keyof Outcomes]> = [
    ['targeted', 'targeted'],
    ['succeeded', 'succeeded'],
    ['rolled back', 'rolledBack'],
    ['refused', 'refused'],
    ['timed out', 'timedOut'],
    ['bricked', 'bricked'],
    ['downloading', 'downloading'],
    ['waiting', 'waiting'],
  ];
  const anyCanceled = r.groups.some((g) => g.canceled);
  if (anyCanceled) cols.push(['cancelled', 'canceled']);
  const groupTable = table(
    ['group', 'devices', ...cols.map((c) => c[0])],
    r.groups.map((g) => [g.name, String(g.devices), ...cols.map(([, k]) => String(g[k]))]),
  );
  const classTable = table(
    ['class', 'device', 'strategy', 'devices', ...cols.map((c) => c[0])],
    r.classes.map((c) => [c.class, c.device, c.strategy, String(c.devices), ...cols.map(([, k]) => String(c[k]))]),
  );
  const events = r.events.map((e) => `${formatTime(e.tMs)}  ${e.event.padEnd(16)} ${e.group.padEnd(16)} ${e.detail}`);
  const t = r.totals;
  const out = [groupTable, '', classTable, '', ...(events.length ? events : ['(no rollout events)']), ''];
  // The wall time on a line of its own: every other line is the same for the same seed.
  out.push(`${formatTime(r.tMs)}: ${t.devices} devices, ${t.succeeded} ${t.succeeded === 1 ? 'update' : 'updates'} succeeded, ${t.rolledBack} rolled back, ${t.refused} refused, ${t.timedOut} timed out, ${t.bricked} bricked (seed ${r.seed})`);
  out.push(`wall time ${(r.wallMs / 1000).toFixed(1)} s`);
  if (r.bricked.length) {
    out.push('', `${r.bricked.length} device${r.bricked.length === 1 ? '' : 's'} bricked; replay one with: brickproof fleet FLEET.json --replay ID --log`);
    for (const b of r.bricked.slice(0, 20)) out.push(`  ${formatTime(b.tMs)}  ${b.id}`);
  }
  return out.join('\n');
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => /^\d+$/.test(r[i]!)));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
