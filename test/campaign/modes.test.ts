/**
 * Power-loss campaigns for MCUboot's modes beside the four swaps (issue 15): a cut at every
 * flash operation of every kind of update, for two images at once (cuts between the two
 * images' swaps included), hardware rollback counters, bootstrap, downgrade prevention,
 * encrypted updates, direct-xip and ram-load — 0 bricked, 0 failures, every id replays. And
 * the five encrypted images imgtool made (test/fixtures/vectors/imgtool-enc) swap through an
 * encrypted upgrade to a primary holding their plaintext, whatever operation the power cuts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CampaignRunner } from '../../src/campaign/runner.js';
import { parseScenarioId, scenarioId, type CampaignSpec } from '../../src/campaign/spec.js';
import { isPowerCut } from '../../src/core/index.js';
import { Device, type BootResult } from '../../src/device/device.js';
import { getDevice } from '../../src/device/device-file.js';
import { stage } from '../../src/device/staging.js';
import { PRIMARY } from '../../src/device/geometry.js';
import { parseImage, signImage } from '../../src/image/index.js';
import { decryptImage, parseEncryptionKey } from '../../src/image/encryption.js';
import { parseKey, publicKeyOf, type PrivateKey } from '../../src/image/keys.js';

const VECTORS = new URL('../fixtures/vectors/', import.meta.url).pathname;
const ENC_KEYS = `${VECTORS}imgtool-enc/keys/`;
const FULL = process.env.BRICKPROOF_FULL === '1';

const spec = (over: Partial<CampaignSpec>): CampaignSpec => ({
  device: 'k64f', strategy: 'swap-scratch', upgrade: 'perm', plan: 'exhaustive', fault: 'cut', imageSize: 0x9000, seed: 1, sample: 0, ...over,
});

async function runAll(s: CampaignSpec) {
  const runner = await CampaignRunner.create(s);
  const results = [...runner.run(Array.from({ length: runner.units }, (_, i) => i + 1))];
  return { runner, results, failed: results.filter((r) => !r.ok) };
}

const CAMPAIGNS: Array<[string, Partial<CampaignSpec>, number]> = [
  // [what, spec, at least this many cut points]
  ['two images on k64f-multi, swap-scratch', { device: 'k64f-multi', images: 2 }, 200],
  ['two images on k64f-multi, swap-move', { device: 'k64f-multi', images: 2, strategy: 'swap-move' }, 150],
  ['two images on k64f-multi, swap-offset', { device: 'k64f-multi', images: 2, strategy: 'swap-offset' }, 100],
  ['hardware rollback, swap-scratch', { hwRollback: true }, 100],
  ['hardware rollback, overwrite-only', { hwRollback: true, strategy: 'overwrite-only' }, 30],
  ['downgrade prevention, swap-scratch', { downgradePrevention: true }, 100],
  ['bootstrap, swap-scratch', { bootstrap: true, upgrade: 'bootstrap' }, 100],
  ['bootstrap, swap-move', { bootstrap: true, upgrade: 'bootstrap', strategy: 'swap-move' }, 10],
  ['bootstrap, swap-offset', { bootstrap: true, upgrade: 'bootstrap', strategy: 'swap-offset' }, 10],
  ['an encrypted update (ECIES-P256, AES-128)', { encKeyLen: 16, encKeyFile: `${ENC_KEYS}enc-p256.pem` }, 100],
  ['an encrypted update (ECIES-X25519, AES-256)', { encKeyLen: 32, encKeyFile: `${ENC_KEYS}enc-x25519.pem` }, 100],
  ['direct-xip with revert', { strategy: 'direct-xip-revert' }, 1],
  ['ram-load with revert', { strategy: 'ram-load-revert' }, 1],
];

describe('exhaustive single cuts in every mode', () => {
  for (const [what, over, min] of CAMPAIGNS) {
    const upgrades = over.upgrade ? [over.upgrade] : (['test', 'perm', 'revert'] as const);
    for (const upgrade of upgrades) {
      it(`${what}: a ${upgrade} update survives a power cut at every flash operation`, async () => {
        const { runner, results, failed } = await runAll(spec({ ...over, upgrade }));
        expect(runner.controlFailure).toBeUndefined();
        expect(results.length).toBe(runner.cutPoints);
        expect(runner.cutPoints).toBeGreaterThanOrEqual(min);
        expect(failed).toEqual([]);
      });
    }
  }

  it('two images: the uninterrupted update swaps image 0 then image 1, so cuts fall between the two', async () => {
    const runner = await CampaignRunner.create(spec({ device: 'k64f-multi', images: 2 }));
    const areas = runner.ops.map((op) => op.area);
    const lastOfImage0 = Math.max(areas.lastIndexOf(1), areas.lastIndexOf(2));
    const firstOfImage1 = Math.min(...[areas.indexOf(4), areas.indexOf(5)].filter((i) => i >= 0));
    expect(lastOfImage0).toBeLessThan(firstOfImage1);
    expect(runner.expected).toMatchObject({ image: 'v2', imageOk: 'set' });
  });

  it('hardware rollback: the uninterrupted updates leave the NV counters as MCUboot raises them', async () => {
    const ends = await Promise.all((['perm', 'test', 'revert'] as const).map(async (upgrade) => (await CampaignRunner.create(spec({ hwRollback: true, upgrade }))).expected?.nv));
    expect(ends).toEqual([[2], [2], [1]]);
  });

  it('every failure id of a mode campaign replays the same scenario (the modes are in the id)', async () => {
    const s = spec({ device: 'k64f-multi', images: 2, hwRollback: true, upgrade: 'test' });
    const id = scenarioId(s, { cut: 17 });
    expect(id).toBe('swap-scratch+images=2+hw-rollback=1/k64f-multi/test:36864/cut@17');
    const parsed = parseScenarioId(id);
    expect(parsed.spec).toMatchObject({ images: 2, hwRollback: true, upgrade: 'test', imageSize: 0x9000 });
    const a = (await CampaignRunner.create(s)).explain({ cut: 17 }).result;
    const b = (await CampaignRunner.create(parsed.spec)).explain(parsed.ref).result;
    expect(b).toEqual(a);
  });
});

// ---- the five imgtool-enc images ----------------------------------------------------------------

interface EncVector {
  name: string;
  file: string;
  signing_key: string;
  encryption_key: string;
  imgtool_args: string[];
  header: { flags: string };
}

const encManifest = JSON.parse(readFileSync(`${VECTORS}imgtool-enc/manifest.json`, 'utf8')) as { vectors: EncVector[] };

/** A plaintext running image signed with the same key as the encrypted update. */
async function runningImage(key: PrivateKey): Promise<Uint8Array> {
  const body = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 1) & 0xff);
  return signImage(body, { key, headerSize: 0x200, padHeader: true, align: 8, version: '0.9.0' });
}

describe('the imgtool-enc images swap through an encrypted upgrade to a primary holding their plaintext', () => {
  const load = async (v: EncVector) => {
    const bytes = new Uint8Array(readFileSync(`${VECTORS}imgtool-enc/${v.file}`));
    const parsed = parseImage(bytes);
    const encKey = parseEncryptionKey(readFileSync(`${ENC_KEYS}${v.encryption_key}.pem`));
    // The image as an upload leaves it (a `--pad` file carries its trailer: left out), and its plaintext.
    const image = bytes.subarray(0, parsed.imageEnd);
    const plain = v.imgtool_args.includes('--clear') ? image : (await decryptImage(parsed, encKey)).subarray(0, parsed.imageEnd);
    return { image, plain, parsed, encKey, signing: parseKey(readFileSync(`${VECTORS}imgtool/keys/${v.signing_key}.pem`)) as PrivateKey, aes256: v.imgtool_args.includes('256') };
  };

  /**
   * From `start`, a cut at every op of `boots` boots in turn — by default, of long boots, the
   * first and last 12 and every 7th (BRICKPROOF_FULL=1: all; AES in JavaScript makes the
   * 70 000-byte images' boots the slow part). Each later boot starts from the clean state after the earlier ones; recovery must end holding `plain` in the primary.
   */
  function everyCut(dev: Device, start: Uint8Array, boots: number, plain: Uint8Array, version: number): string[] {
    const wrong: string[] = [];
    const holds = () => dev.core.peekArea(PRIMARY).subarray(0, plain.length).every((b, i) => b === plain[i]);
    let from = start;
    for (let n = 0; n < boots; n++) {
      dev.core.loadDump(from);
      const clean = dev.boot() as BootResult;
      const ops = clean.ops.erase + clean.ops.write;
      const next = dev.core.dump();
      for (let k = 1; k <= ops; k++) {
        if (!FULL && ops > 100 && k > 12 && k < ops - 12 && k % 7 !== 0) continue;
        dev.core.loadDump(from);
        if (!isPowerCut(dev.boot({ at: k }))) wrong.push(`boot ${n + 1} k=${k}: not cut`);
        for (let m = n; m < boots; m++) dev.boot();
        const r = dev.boot() as BootResult;
        if (r.outcome !== 'ok' || r.version?.major !== version) wrong.push(`boot ${n + 1} k=${k}: settled on ${r.outcome} ${JSON.stringify(r.version)}`);
        if (!holds()) wrong.push(`boot ${n + 1} k=${k}: the primary does not hold the plaintext`);
      }
      from = next;
    }
    return wrong;
  }

  for (const v of encManifest.vectors.filter((x) => !x.imgtool_args.includes('--clear'))) {
    it(`${v.name}: a permanent upgrade cut at every operation recovers to its plaintext in the primary`, async () => {
      const u = await load(v);
      const dev = new Device(getDevice('k64f').geometry, { strategy: 'swap-scratch', keys: [publicKeyOf(u.signing)], encKey: u.encKey, encKeySize: u.aes256 ? 32 : 16 });
      expect(stage(dev, { running: await runningImage(u.signing), update: u.image, permanent: true })).toBe(0);
      const start = dev.core.dump();
      expect(dev.boot()).toMatchObject({ outcome: 'ok', swapType: 'perm' });
      expect(everyCut(dev, start, 1, u.plain, u.parsed.header.version.major)).toEqual([]);
    });
  }

  const clear = encManifest.vectors.find((x) => x.imgtool_args.includes('--clear'))!;
  it(`${clear.name} (in the clear, flagged encrypted): running in the primary, it goes to the secondary encrypted during a test upgrade and comes back as plaintext when the upgrade reverts, at every cut`, async () => {
    const running = await load(clear);
    const update = await load(encManifest.vectors.find((x) => x.name === 'ecdsa-4096-enc-p256-aes128-pad')!);
    const dev = new Device(getDevice('k64f').geometry, { strategy: 'swap-scratch', keys: [publicKeyOf(running.signing)], encKey: running.encKey });
    expect(stage(dev, { running: running.image, update: update.image, permanent: false })).toBe(0);
    const start = dev.core.dump();
    expect(dev.boot()).toMatchObject({ outcome: 'ok', swapType: 'test' });
    // Swapped out, the clear image is encrypted with its own key: its body no longer reads as plaintext.
    const secondary = dev.core.peekArea(2);
    const body = running.parsed.header.hdrSize;
    expect(secondary.subarray(body, body + 64)).not.toEqual(running.plain.subarray(body, body + 64));
    expect(dev.boot()).toMatchObject({ outcome: 'ok', swapType: 'revert' });
    expect(dev.core.peekArea(PRIMARY).subarray(0, running.plain.length)).toEqual(running.plain);
    expect(everyCut(dev, start, 2, running.plain, 1)).toEqual([]);
  });
});
