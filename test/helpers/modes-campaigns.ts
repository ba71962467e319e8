/**
 * The power-loss campaigns of MCUboot's other modes (issue 15), one list for the test that
 * runs them (test/campaign/modes.test.ts) and the test that holds README's table to what
 * they count (test/readme-modes.test.ts): k64f (k64f-multi for two images), 36 KiB images,
 * one cut at every flash operation of the update.
 */
import type { CampaignSpec, Upgrade } from '../../src/campaign/spec.js';

const ENC_KEYS = new URL('../fixtures/vectors/imgtool-enc/keys/', import.meta.url).pathname;

export const campaignSpec = (over: Partial<CampaignSpec>): CampaignSpec => ({
  device: 'k64f', strategy: 'swap-scratch', upgrade: 'perm', plan: 'exhaustive', fault: 'cut', imageSize: 0x9000, seed: 1, sample: 0, ...over,
});

/** README's name of a mode (the first column of its table in "MCUboot's other modes"). */
export type ModeName =
  | 'direct-xip' | 'direct-xip with revert' | 'ram-load' | 'ram-load with revert' | 'multi-image with dependencies'
  | 'downgrade prevention' | 'hardware rollback counters' | 'bootstrap' | 'encrypted images';

export interface ModeCampaign {
  mode: ModeName;
  what: string;
  spec: Partial<CampaignSpec>;
  /**
   * The upgrades run, each with the flash operations of its uninterrupted update: the cut
   * points, one scenario each (test/campaign/modes.test.ts checks these counts).
   */
  ops: Partial<Record<Upgrade, number>>;
}

export const MODE_CAMPAIGNS: ModeCampaign[] = [
  // Without revert, the bootloader writes nothing in an update (it boots the highest version in
  // place): the one operation to cut is the application's confirm; perm and revert make none.
  { mode: 'direct-xip', what: 'direct-xip', spec: { strategy: 'direct-xip' }, ops: { test: 1 } },
  { mode: 'direct-xip with revert', what: 'direct-xip with revert', spec: { strategy: 'direct-xip-revert' }, ops: { test: 2, perm: 1, revert: 34 } },
  { mode: 'ram-load', what: 'ram-load', spec: { strategy: 'ram-load' }, ops: { test: 1 } },
  { mode: 'ram-load with revert', what: 'ram-load with revert', spec: { strategy: 'ram-load-revert' }, ops: { test: 2, perm: 1, revert: 34 } },
  { mode: 'multi-image with dependencies', what: 'two images on k64f-multi, swap-scratch', spec: { device: 'k64f-multi', images: 2 }, ops: { test: 346, perm: 348, revert: 690 } },
  { mode: 'multi-image with dependencies', what: 'two images on k64f-multi, swap-move', spec: { device: 'k64f-multi', images: 2, strategy: 'swap-move' }, ops: { test: 338, perm: 338, revert: 682 } },
  { mode: 'multi-image with dependencies', what: 'two images on k64f-multi, swap-offset', spec: { device: 'k64f-multi', images: 2, strategy: 'swap-offset' }, ops: { test: 232, perm: 232, revert: 478 } },
  { mode: 'downgrade prevention', what: 'downgrade prevention, swap-scratch', spec: { downgradePrevention: true }, ops: { test: 173, perm: 174, revert: 345 } },
  { mode: 'downgrade prevention', what: 'downgrade prevention, overwrite-only', spec: { downgradePrevention: true, strategy: 'overwrite-only' }, ops: { test: 163, perm: 162, revert: 162 } },
  { mode: 'hardware rollback counters', what: 'hardware rollback, swap-scratch', spec: { hwRollback: true }, ops: { test: 173, perm: 174, revert: 345 } },
  { mode: 'hardware rollback counters', what: 'hardware rollback, overwrite-only', spec: { hwRollback: true, strategy: 'overwrite-only' }, ops: { test: 163, perm: 162, revert: 162 } },
  { mode: 'bootstrap', what: 'bootstrap, swap-scratch', spec: { bootstrap: true }, ops: { bootstrap: 164 } },
  { mode: 'bootstrap', what: 'bootstrap, swap-move', spec: { bootstrap: true, strategy: 'swap-move' }, ops: { bootstrap: 51 } },
  { mode: 'bootstrap', what: 'bootstrap, swap-offset', spec: { bootstrap: true, strategy: 'swap-offset' }, ops: { bootstrap: 51 } },
  { mode: 'encrypted images', what: 'an encrypted update (ECIES-P256, AES-128)', spec: { encKeyLen: 16, encKeyFile: `${ENC_KEYS}enc-p256.pem` }, ops: { test: 177, perm: 178, revert: 353 } },
  { mode: 'encrypted images', what: 'an encrypted update (ECIES-X25519, AES-256)', spec: { encKeyLen: 32, encKeyFile: `${ENC_KEYS}enc-x25519.pem` }, ops: { test: 177, perm: 178, revert: 353 } },
];
