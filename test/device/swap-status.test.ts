/**
 * Device.readSwapStatus: the swap progress an area's trailer holds — swap_size and the status
 * records — decoded as reference mcuboot.md §3.3/§3.7/§5.2–§5.4 lays them out: swap-scratch
 * writes 1, 2, 3 for each region, swap-move its move records (1) then two swap states per
 * sector, swap-offset two states per sector.
 */
import { describe, expect, it } from 'vitest';
import { CampaignRunner } from '../../src/campaign/runner.js';
import type { SwapStatus } from '../../src/device/device.js';
import type { BootStrategy } from '../../src/image/strategy.js';

/** The primary's status after each of the first `n` operations of a permanent upgrade's boot. */
async function progress(strategy: BootStrategy, area: number, n: number): Promise<{ status: SwapStatus[]; total: number; imageSize: number }> {
  const runner = await CampaignRunner.create({ device: 'k64f', strategy, upgrade: 'perm', plan: 'exhaustive', fault: 'cut', imageSize: 'max', seed: 1, sample: 0 });
  const status: SwapStatus[] = [];
  for (let g = 2; g <= n + 1; g++) {
    runner.flashBefore(g);
    status.push(runner.device.readSwapStatus(area));
  }
  return { status, total: runner.ops.length, imageSize: runner.images.v2.length };
}

/** The records as they were written: each time `written` grows, the last one. */
function sequence(status: SwapStatus[]): Array<SwapStatus['last']> {
  const out: Array<SwapStatus['last']> = [];
  let seen = 0;
  for (const s of status) {
    if (s.written > seen && s.last) out.push(s.last);
    seen = s.written;
  }
  return out;
}

describe('the swap status of a trailer', () => {
  it('is empty where nothing was written: room for MAX_IMG_SECTORS × states records, no swap_size', async () => {
    const { status } = await progress('swap-move', 1, 1);
    expect(status[0]).toMatchObject({ swapSize: null, capacity: 128 * 3, written: 0 });
  });

  it('swap-move: move records of value 1 first, idx counting up, then swap records alternating states 1 and 2', async () => {
    const { status, total, imageSize } = await progress('swap-move', 1, 200);
    const seq = sequence(status);
    expect(seq.slice(0, 3)).toEqual([
      { record: 0, value: 1, op: 'move', idx: 1, state: 1 },
      { record: 1, value: 1, op: 'move', idx: 2, state: 1 },
      { record: 2, value: 1, op: 'move', idx: 3, state: 1 },
    ]);
    const swaps = seq.filter((r) => r!.op === 'swap');
    expect(swaps.slice(0, 2)).toEqual([{ record: 128, value: 1, op: 'swap', idx: 1, state: 1 }, { record: 129, value: 2, op: 'swap', idx: 1, state: 2 }]);
    expect(status.at(-1)!.swapSize).toBe(imageSize);
    expect(total).toBeGreaterThan(200);
  });

  it('swap-offset: two states per sector, swap_size read where swap-offset keeps it', async () => {
    const { status, imageSize } = await progress('swap-offset', 1, 60);
    const seq = sequence(status);
    expect(seq.slice(0, 3).map((r) => [r!.value, r!.idx, r!.state])).toEqual([[1, 1, 1], [2, 1, 2], [1, 2, 1]]);
    expect(status.at(-1)!.swapSize).toBe(imageSize);
  });

  it('swap-scratch: the first region records states 1 and 2 in the scratch, copies both into the primary with state 3, then 1, 2, 3 per region', async () => {
    const scratch = sequence((await progress('swap-scratch', 3, 20)).status);
    expect(scratch.map((r) => [r!.value, r!.state])).toEqual([[1, 1], [2, 2]]);
    const { status } = await progress('swap-scratch', 1, 60);
    const primary = sequence(status);
    // Records 0 and 1 arrive together (copied from the scratch), so the first seen is #1.
    expect(primary.slice(0, 5).map((r) => [r!.record, r!.value, r!.idx, r!.state])).toEqual([[1, 2, 1, 2], [2, 3, 1, 3], [3, 1, 2, 1], [4, 2, 2, 2], [5, 3, 2, 3]]);
  });
});
