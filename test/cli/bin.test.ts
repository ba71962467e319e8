/**
 * The installed command: bin/brickproof.js runs the command line bundled into dist/bundle/
 * (scripts/bundle-cli.js), whose paths to the WebAssembly core and to the campaign worker
 * must resolve as they do from dist/'s modules.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a node script of the repository as its own process (awaited: the test's worker stays free). */
function node(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      resolve({ status: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr });
    });
  });
}
const brickproof = (...args: string[]) => node(['bin/brickproof.js', ...args]);

describe('bin/brickproof.js', () => {
  beforeAll(async () => {
    const built = await node(['scripts/bundle-cli.js']);
    expect(built.status, built.stderr).toBe(0);
  }, 60_000);

  it('runs a campaign long enough for worker threads to join, and reports it', async () => {
    const r = await brickproof('campaign', '--device', 'k64f', '--strategy', 'swap-scratch', '--upgrade', 'perm', '--plan', 'double', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [row] = JSON.parse(r.stdout).summary;
    expect(row).toMatchObject({ strategy: 'swap-scratch', device: 'k64f', plan: 'double', bricked: 0, failures: 0, memo: true });
    expect(row.scenarios).toBeGreaterThan(100_000);
  }, 120_000);

  it('says in one line that it is not built when the bundle is missing (an install without scripts)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brickproof-bin-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(root, 'bin/brickproof.js'), join(dir, 'bin/brickproof.js'));
    const r = await node([join(dir, 'bin/brickproof.js'), 'campaign']);
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual(['brickproof: the command is not built (dist/bundle/cli.js is missing): run `npm run build` in the brickproof package']);
  });

  it('keeps its one-line errors and exit codes', async () => {
    const r = await brickproof('campaign', '--plan', 'triple', '--fault', 'bit-noise');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['brickproof campaign: --plan triple --fault bit-noise needs --sample N: every third cut of every second cut shares work only under --fault cut (a torn cut leaves different bytes in every scenario)']);
  });
});
