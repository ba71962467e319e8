/**
 * Only device findings are findings: a broken flash rule or a trap in the simulated code is
 * rule `crash`; any other exception is a bug of ours and aborts the campaign — never a row
 * in its results — with one line and exit code 3.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CoreBug, FlashRuleError } from '../../src/core/index.js';
import { CampaignRunner } from '../../src/campaign/runner.js';
import type { CampaignSpec } from '../../src/campaign/spec.js';
import { describeError } from '../../src/cli/main.js';
import { Device } from '../../src/device/device.js';
import { cli } from './cli-helpers.js';

const spec: CampaignSpec = { device: 'k64f', strategy: 'swap-move', upgrade: 'perm', plan: 'exhaustive', fault: 'cut', imageSize: 'max', seed: 1, sample: 0 };

afterEach(() => vi.restoreAllMocks());

describe('a fault of the simulated device', () => {
  it('is a crash finding, named by its replay id, whether a flash rule or a trap', async () => {
    const runner = await CampaignRunner.create(spec);
    const boot = vi.spyOn(Device.prototype, 'boot');
    boot.mockImplementationOnce(() => {
      throw new FlashRuleError('not erased', 1, 0x1000, 8);
    });
    expect(runner.single(40)).toMatchObject({ id: 'swap-move/k64f/perm/cut@40', ok: false, rule: 'crash', detail: expect.stringMatching(/^power-on 1 after the cut: flash rule broken: not erased/) });
    boot.mockImplementationOnce(() => {
      throw new CoreBug('brickproof core trapped: unreachable', { cause: new WebAssembly.RuntimeError('unreachable') });
    });
    expect(runner.single(41)).toMatchObject({ ok: false, rule: 'crash', detail: expect.stringMatching(/core trapped/) });
    boot.mockRestore();
    expect(runner.single(42)).toMatchObject({ ok: true });
  });
});

describe('a bug of the harness', () => {
  it('is never a result: it propagates out of the scenario', async () => {
    const runner = await CampaignRunner.create(spec);
    vi.spyOn(Device.prototype, 'boot').mockImplementationOnce(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'ops')");
    });
    expect(() => runner.single(40)).toThrow(TypeError);
  });

  it('is neither a CoreBug without a trap behind it (the host misusing the core)', async () => {
    const runner = await CampaignRunner.create(spec);
    vi.spyOn(Device.prototype, 'boot').mockImplementationOnce(() => {
      throw new CoreBug('the core is halted after a power cut or trap: reboot() it first');
    });
    expect(() => runner.single(40)).toThrow(/halted/);
  });

  it('aborts the campaign command with one line and exit code 3, and no report', async () => {
    let calls = 0;
    const real = Device.prototype.boot;
    vi.spyOn(Device.prototype, 'boot').mockImplementation(function (this: Device, ...args) {
      // The uninterrupted update (the probe and the runner) boots normally; a scenario's recovery does not.
      if (++calls === 30) throw new TypeError('x is not a function');
      return real.apply(this, args);
    });
    const r = await cli(['campaign', '--device', 'k64f', '--strategy', 'swap-move', '--upgrade', 'perm', '--workers', '1', '--json']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual(['brickproof campaign: internal error (a bug in brickproof, not a finding about the device): TypeError: x is not a function']);
  });

  it('is told apart from the user\'s mistakes (exit 2) and failed checks (exit 1)', async () => {
    const { UsageError, CheckFailed } = await import('../../src/errors.js');
    expect(describeError('boot', new UsageError('bad flag'))).toEqual({ code: 2, line: 'brickproof boot: bad flag' });
    expect(describeError('verify', new CheckFailed('bad image'))).toEqual({ code: 1, line: 'brickproof verify: bad image' });
    expect(describeError('campaign', new Error('first line\nsecond line')).code).toBe(3);
    expect(describeError('campaign', new Error('first line\nsecond line')).line).not.toMatch(/second/);
  });
});
