/**
 * The installed command: bin/brickproof.js runs the command line bundled into dist/bundle/
 * (scripts/bundle-cli.js), whose paths to the WebAssembly core and to the campaign worker
 * must resolve as they do from dist/'s modules.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const brickproof = (...args: string[]) => spawnSync(process.execPath, ['bin/brickproof.js', ...args], { cwd: root, encoding: 'utf8' });

describe('bin/brickproof.js', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/bundle-cli.js'], { cwd: root });
  }, 60_000);

  it('runs a campaign long enough for worker threads to join, and reports it', () => {
    const r = brickproof('campaign', '--device', 'k64f', '--strategy', 'swap-scratch', '--upgrade', 'perm', '--plan', 'double', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [row] = JSON.parse(r.stdout).summary;
    expect(row).toMatchObject({ strategy: 'swap-scratch', device: 'k64f', plan: 'double', bricked: 0, failures: 0, memo: true });
    expect(row.scenarios).toBeGreaterThan(100_000);
  }, 120_000);

  it('keeps its one-line errors and exit codes', () => {
    const r = brickproof('campaign', '--plan', 'triple', '--fault', 'bit-noise');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['brickproof campaign: --plan triple --fault bit-noise needs --sample N: every third cut of every second cut shares work only under --fault cut (a torn cut leaves different bytes in every scenario)']);
  });
});
