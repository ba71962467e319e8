/**
 * No silent no-ops: a flag the chosen command or plan would ignore is refused (it reads as a
 * check that was made); a cut that cannot happen, an empty replay id, a device name no id
 * can carry are refused; a boot the user cut exits with its own code; `simulate` says why
 * the bootloader turned an image down; `keygen` never overwrites a key by accident and
 * writes it for its owner's eyes only.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signImage } from '../../src/image/index.js';
import { cli } from '../campaign/cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'brickproof-noops-'));
const path = (name: string) => join(dir, name);
const body = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * seed + 7) & 0xff);

/** One line on stderr, exit 2, nothing on stdout. */
async function refused(args: string[], pattern: RegExp): Promise<void> {
  const r = await cli(args);
  expect(r.code, r.stdout).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

/** 28 sectors a slot, 4 KiB each: big enough for a 60 KB image, small enough to be quick. */
const board = path('tiny2.json');
writeFileSync(board, JSON.stringify({
  name: 'tiny2',
  flash: [{ id: 0, sectors: [[4096, 64]], writeAlign: 8 }],
  areas: { primary: { flash: 0, offset: 0, size: 114688 }, secondary: { flash: 0, offset: 114688, size: 114688 }, scratch: { flash: 0, offset: 229376, size: 16384 } },
}));

beforeAll(async () => {
  writeFileSync(path('v1.bin'), await signImage(body(60000, 31), { headerSize: 0x200, padHeader: true, version: '1.0.0' }));
  writeFileSync(path('v2.bin'), await signImage(body(60000, 17), { headerSize: 0x200, padHeader: true, version: '2.0.0' }));
  // A staged device, ready for `boot`: the update requested, no boot yet (--boots 0).
  const r = await cli(['simulate', '--device-file', board, '--primary', path('v1.bin'), '--secondary', path('v2.bin'), '--boots', '0', '--dump-flash', path('staged.bin')]);
  expect(r.code, r.stderr).toBe(0);
});

describe('campaign flags the chosen mode does not use', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--trace'], /--trace does nothing in an exhaustive campaign \(it is used with --replay of a scenario id\)/],
    [['--sample', '20'], /--sample does nothing in an exhaustive campaign \(it is used with --plan double, triple or random\)/],
    [['--lives', '10'], /--lives does nothing in an exhaustive campaign \(it is used with --plan lifecycle\)/],
    [['--log'], /--log does nothing .*\(it is used with --replay of a lifecycle id\)/],
    [['--replay', 'swap-scratch/k64f/perm/cut@30', '--strategy', 'swap-move'], /--strategy does nothing with --replay: the id names the whole campaign/],
    [['--replay', 'swap-scratch/k64f/perm/cut@30', '--seed', '4'], /--seed does nothing with --replay/],
    [['--replay', 'swap-scratch/k64f/perm/cut@30', '--log'], /--log does nothing with --replay/],
    [['--replay', 'swap-move/k64f/lifecycle/cut#3', '--trace'], /--trace does nothing with --replay of a lifecycle id/],
    [['--plan', 'lifecycle', '--image-size', '100000'], /--image-size does nothing with --plan lifecycle/],
    [['--plan', 'lifecycle', '--resume', '--out', 'x.jsonl'], /--resume does nothing with --plan lifecycle/],
    [['--resume'], /--resume needs --out FILE.jsonl/],
    [['--force'], /--force needs --out FILE.jsonl/],
    [['--replay', ''], /--replay needs a scenario id \(got an empty one\)/],
    [['--replay', '  '], /--replay needs a scenario id/],
  ];
  for (const [args, pattern] of cases) it(`refuses campaign ${args.join(' ')}`, () => refused(['campaign', ...args], pattern));
});

describe('flags other commands would ignore', () => {
  it('refuses boot options on the application calls (confirm, pending)', async () => {
    await refused(['confirm', path('staged.bin'), '--device-file', board, '--key', 'k.pem'], /--key does nothing for confirm/);
    await refused(['pending', path('staged.bin'), '--device-file', board, '--no-validate-primary'], /--no-validate-primary does nothing for pending/);
  });
  it('refuses --overwrite-fast with a swap strategy', () => refused(['boot', path('staged.bin'), '--device-file', board, '--strategy', 'swap-move', '--overwrite-fast'], /--overwrite-fast does nothing with swap-move/));
  it('refuses simulate --confirm with a permanent upgrade', () => refused(['simulate', '--primary', path('v1.bin'), '--secondary', path('v2.bin'), '--upgrade', 'perm', '--confirm'], /--confirm does nothing with --upgrade perm/));
  it('refuses life --fault without a power loss', () => refused(['life', '--fault', 'torn-write'], /--fault does nothing without a power loss/));
  it('refuses bench --out with --no-chart', () => refused(['bench', '--no-chart', '--out', dir], /--out does nothing with --no-chart/));
  it('refuses verify geometry flags without a slot size', () => refused(['verify', path('v2.bin'), '--strategy', 'swap-move'], /--strategy does nothing without -S\/--slot-size/));
});

describe('boot --cut-at', () => {
  it('past the boot\'s last operation says so, exits 2 and leaves the dump as it was', async () => {
    const dump = path('past.bin');
    writeFileSync(dump, readFileSync(path('staged.bin')));
    const r = await cli(['boot', dump, '--device-file', board, '--cut-at', '100000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--cut-at 100000 is past the end of this boot: it made \d+ flash operations, so no power was cut; the dump is left unchanged/);
    expect(Buffer.compare(readFileSync(dump), readFileSync(path('staged.bin')))).toBe(0);
  });

  it('that fires exits 4 (not 0, which means booted), with the dump as the cut left it', async () => {
    const dump = path('cut.bin');
    writeFileSync(dump, readFileSync(path('staged.bin')));
    const r = await cli(['boot', dump, '--device-file', board, '--cut-at', '50']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^power cut before op 50 /);
    expect(Buffer.compare(readFileSync(dump), readFileSync(path('staged.bin')))).not.toBe(0);
  });

  it('on a dump whose trailers this build cannot read says which flash rule broke, in one line (exit 2), and leaves it as it was', async () => {
    const dump = path('garbled.bin');
    writeFileSync(dump, readFileSync(path('staged.bin')));
    expect((await cli(['boot', dump, '--device-file', board, '--cut-at', '50'])).code).toBe(4);
    // Four bytes of the primary's status area, as a bootloader of another build (or a bad
    // part) could have left them: the resumed swap then writes over programmed flash.
    const bytes = readFileSync(dump);
    for (const [offset, value] of [[0x1b5d3, 159], [0x1ba9e, 174], [0x1bbe8, 253], [0x1bfe7, 150]]) bytes[offset] = value;
    writeFileSync(dump, bytes);
    const r = await cli(['boot', dump, '--device-file', board]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^brickproof boot: the bootloader broke a flash rule on this dump: not erased — area 1, offset 0x1bfe0, length 0x8 — a dump written by another build \(--strategy, --max-align, --max-sectors, the device\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(Buffer.compare(readFileSync(dump), bytes)).toBe(0);
  });
});

describe('device names', () => {
  for (const [name, file] of [['x/y@z', 'named.json'], [undefined, 'my board.json']] as const) {
    it(`refuse ${name === undefined ? `a name taken from the file name '${file}'` : `'${name}'`}, which no replay id can carry`, async () => {
      const f = path(file);
      writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(board, 'utf8')), name }));
      await refused(['campaign', '--device-file', f, '--strategy', 'swap-scratch', '--upgrade', 'perm'], /device name ".*" .*may use only letters, digits, '\.', '_' and '-'/);
    });
  }
});

describe('simulate says why the bootloader rejected the update', () => {
  it('names the verification code of a garbage secondary', async () => {
    writeFileSync(path('garbage.bin'), body(50000, 101));
    const r = await cli(['simulate', '--primary', path('v1.bin'), '--secondary', path('garbage.bin')]);
    expect(r.stdout).toMatch(/boot 1: requested test; did NOT upgrade; boots the primary slot, v1\.0\.0\+0/);
    expect(r.stdout).toMatch(/the bootloader rejected the secondary image: header-magic: /);
  });

  it('names it for a secondary whose body was damaged, in the JSON too', async () => {
    const bad = readFileSync(path('v2.bin'));
    bad[0x1000] ^= 0x40;
    writeFileSync(path('damaged.bin'), bad);
    const text = await cli(['simulate', '--primary', path('v1.bin'), '--secondary', path('damaged.bin')]);
    expect(text.stdout).toMatch(/rejected the secondary image: hash-mismatch: /);
    const json = await cli(['simulate', '--primary', path('v1.bin'), '--secondary', path('damaged.bin'), '--json']);
    expect(JSON.parse(json.stdout).rejected).toMatchObject({ slot: 'secondary', code: 'hash-mismatch' });
  });

  it('says nothing of a rejection when the update happens', async () => {
    const r = await cli(['simulate', '--primary', path('v1.bin'), '--secondary', path('v2.bin'), '--json']);
    expect(JSON.parse(r.stdout).rejected).toBeUndefined();
  });
});

describe('keygen', () => {
  it('writes the private key readable by its owner only (mode 0600)', async () => {
    const key = path('fresh.pem');
    expect((await cli(['keygen', '-k', key, '-t', 'ed25519'])).code).toBe(0);
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite an existing key without --force, and leaves it as it was', async () => {
    const key = path('kept.pem');
    expect((await cli(['keygen', '-k', key, '-t', 'ed25519'])).code).toBe(0);
    const before = readFileSync(key, 'utf8');
    await refused(['keygen', '-k', key, '-t', 'ecdsa-p256'], /--key '.*kept.pem' already exists \(--force overwrites it\)/);
    expect(readFileSync(key, 'utf8')).toBe(before);
    expect((await cli(['keygen', '-k', key, '-t', 'ecdsa-p256', '--force'])).code).toBe(0);
    expect(readFileSync(key, 'utf8')).not.toBe(before);
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });
});
