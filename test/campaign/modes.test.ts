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
import { parseScenarioId, scenarioId, type Upgrade } from '../../src/campaign/spec.js';
import { campaignSpec, MODE_CAMPAIGNS } from '../helpers/modes-campaigns.js';
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

const spec = campaignSpec;

/**
 * Scenarios per test: a campaign is split so that each test body stays short (an encrypted
 * update unwraps an ECIES key at every recovery boot: about 15–30 ms a scenario on the shared
 * 2-core machine at load 20, measured).
 */
const UNITS_PER_TEST = 120;

describe('exhaustive single cuts in every mode', () => {
  for (const { what, spec: over, ops } of MODE_CAMPAIGNS) {
    for (const [upgrade, cutPoints] of Object.entries(ops) as Array<[Upgrade, number]>) {
      // The uninterrupted update is run once (the reference every cut is judged against) and shared by the chunks.
      let made: Promise<CampaignRunner> | undefined;
      const runner = () => (made ??= CampaignRunner.create(spec({ ...over, upgrade })));
      it(`${what}: the uninterrupted ${upgrade} update ends as it must, after ${cutPoints} flash operations`, async () => {
        const r = await runner();
        expect(r.controlFailure).toBeUndefined();
        expect(r.cutPoints).toBe(cutPoints);
        expect(r.units).toBe(cutPoints);
      });
      for (let first = 1; first <= cutPoints; first += UNITS_PER_TEST) {
        const last = Math.min(cutPoints, first + UNITS_PER_TEST - 1);
        it(`${what}: a ${upgrade} update survives a power cut at operation ${first === last ? first : `${first}–${last}`} of ${cutPoints}`, async () => {
          const units = Array.from({ length: last - first + 1 }, (_, i) => first + i);
          const results = [...(await runner()).run(units)];
          expect(results.map((x) => x.id)).toHaveLength(units.length);
          expect(results.filter((x) => !x.ok)).toEqual([]);
        });
      }
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

/** One of `of` interleaved parts of the cut points (k mod of = index): each test body stays short. */
interface Part {
  index: number;
  of: number;
}
const parts = (of: number): Part[] => Array.from({ length: of }, (_, index) => ({ index, of }));

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
  function everyCut(dev: Device, start: Uint8Array, boots: number, plain: Uint8Array, version: number, part: Part): string[] {
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
        if (k % part.of !== part.index) continue;
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
    for (const part of parts(4)) it(`${v.name}: a permanent upgrade cut at every operation recovers to its plaintext in the primary (cut points ≡ ${part.index} mod ${part.of})`, async () => {
      const u = await load(v);
      const dev = new Device(getDevice('k64f').geometry, { strategy: 'swap-scratch', keys: [publicKeyOf(u.signing)], encKey: u.encKey, encKeySize: u.aes256 ? 32 : 16 });
      expect(stage(dev, { running: await runningImage(u.signing), update: u.image, permanent: true })).toBe(0);
      const start = dev.core.dump();
      expect(dev.boot()).toMatchObject({ outcome: 'ok', swapType: 'perm' });
      expect(everyCut(dev, start, 1, u.plain, u.parsed.header.version.major, part)).toEqual([]);
    });
  }

  const clear = encManifest.vectors.find((x) => x.imgtool_args.includes('--clear'))!;
  for (const part of parts(8)) it(`${clear.name} (in the clear, flagged encrypted): running in the primary, it goes to the secondary encrypted during a test upgrade and comes back as plaintext when the upgrade reverts, at every cut (cut points ≡ ${part.index} mod ${part.of})`, async () => {
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
    expect(everyCut(dev, start, 2, running.plain, 1, part)).toEqual([]);
  });
});
