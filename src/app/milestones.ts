/**
 * The milestone log: the explanation of a device's life. One line per thing a person needs
 * to know — never one per chunk, so the log of one update does not grow with the image.
 */

export const MILESTONE_EVENTS = [
  'update-available',
  'download-started',
  'download-resumed',
  'download-completed',
  'update-refused',
  'upgrade-requested',
  'reboot',
  'image-swapped',
  'image-confirmed',
  'rollback-detected',
] as const;
export type MilestoneEvent = (typeof MILESTONE_EVENTS)[number];

export interface Milestone {
  /** Virtual time (ms since the life began). */
  tMs: number;
  event: MilestoneEvent;
  /** The version running when it happened (`-` while nothing runs). */
  version: string;
  detail: string;
  /**
   * `reboot` only: the same reboot happened this many more times, identically, and the
   * simulation skipped over them (a crash or watchdog loop).
   */
  repeat?: number;
}

export type RebootReason = 'upgrade' | 'power-loss' | 'watchdog' | 'crash' | 'health-check';

/** `2d 03:04:05.678`: virtual time as a person reads it. */
export function formatTime(ms: number): string {
  const d = Math.floor(ms / 86_400_000);
  const rest = ms - d * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  const m = Math.floor((rest % 3_600_000) / 60_000);
  const s = (rest % 60_000) / 1000;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d}d ${pad(h)}:${pad(m)}:${s.toFixed(3).padStart(6, '0')}`;
}

/** One milestone as one line of text. */
export function formatMilestone(m: Milestone): string {
  const repeat = m.repeat ? ` (×${m.repeat + 1})` : '';
  return `${formatTime(m.tMs)}  ${m.version.padEnd(10)} ${m.event}${repeat}${m.detail ? `  ${m.detail}` : ''}`;
}
