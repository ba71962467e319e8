import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/app/clock.js';
import { DEFAULT_RETRY, fullJitter } from '../../src/app/backoff.js';
import { prng } from '../../src/util/prng.js';

describe('the virtual clock', () => {
  it('runs events in time order, and those at the same instant in the order they were scheduled', () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.at(30, () => seen.push('c'));
    s.at(10, () => seen.push('a1'));
    s.at(10, () => seen.push('a2'));
    s.at(20, () => {
      seen.push('b');
      s.at(20, () => seen.push('b-then'));
    });
    s.run(100);
    expect(seen).toEqual(['a1', 'a2', 'b', 'b-then', 'c']);
    expect(s.now).toBe(100);
  });

  it('jumps from event to event: a day with one event costs one event', () => {
    const s = new Scheduler();
    let ran = 0;
    s.at(86_399_999, () => ran++);
    s.run(86_400_000);
    expect(ran).toBe(1);
  });

  it('stops at the horizon and leaves later events for the next run', () => {
    const s = new Scheduler();
    const seen: number[] = [];
    for (const t of [5, 15, 25]) s.at(t, () => seen.push(t));
    s.run(20);
    expect(seen).toEqual([5, 15]);
    expect(s.next).toBe(25);
    s.run(30);
    expect(seen).toEqual([5, 15, 25]);
  });

  it('drops the events of a past epoch (what a reset does to the RAM that planned them)', () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.atEpoch(10, () => seen.push('before reset'));
    s.at(5, () => s.epoch++);
    s.at(15, () => seen.push('always'));
    s.atEpoch(20, () => seen.push('after reset'));
    s.run(30);
    expect(seen).toEqual(['always']);
  });
});

describe('full-jitter backoff', () => {
  it('sleeps random(0, min(cap, base·2^attempt)): never more than the cap, growing with the attempt', () => {
    const r = prng(7);
    const worst = [0, 1, 2, 3, 4, 5].map((a) => Math.max(...Array.from({ length: 2000 }, () => fullJitter(DEFAULT_RETRY, a, r))));
    for (const [a, w] of worst.entries()) expect(w).toBeLessThanOrEqual(Math.min(DEFAULT_RETRY.capMs, DEFAULT_RETRY.baseMs * 2 ** a));
    expect(worst[0]).toBeGreaterThan(0.9 * DEFAULT_RETRY.baseMs);
    expect(worst[2]).toBeGreaterThan(0.9 * 4 * DEFAULT_RETRY.baseMs);
    expect(worst[5]).toBeGreaterThan(0.9 * DEFAULT_RETRY.capMs);
  });
});
