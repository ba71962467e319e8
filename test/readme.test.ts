/**
 * Every example in README.md runs as pasted. The test reads the README's fenced blocks and,
 * in a temporary project where brickproof is installed as `npm install brickproof` installs
 * it (node_modules/brickproof and node_modules/.bin/brickproof), runs them in order, as a
 * reader following along would:
 *
 *   sh    run with bash, one command at a time; each must exit 0, or the code its trailing
 *         `# exit N` comment says;
 *   ts    run with tsx; js: run with node (both as ES modules importing 'brickproof');
 *   text  right after an example (no heading between them): what it prints — its lines appear
 *         in that output, in order (a line `…` stands for lines left out); elsewhere a
 *         drawing (the layout tree), not run;
 *   json  a shape, not run — or, after `<!-- readme-test: file NAME -->`, written as NAME
 *         before anything runs, since the examples use it (the device file);
 *   yaml  a recipe for another system (CI), not run.
 *
 * A block preceded by `<!-- readme-test: skip REASON -->` is not run, for the reason given
 * (listed by a test below); `<!-- readme-test: full -->` marks a block that takes minutes,
 * run by the full suite (BRICKPROOF_FULL=1, as CI runs it) only. Any other block fails.
 *
 * Writing a new section: use `npx brickproof …`; make the files your commands read with
 * commands of the block itself or of an earlier one (`head -c 100000 /dev/zero > fw.bin`,
 * `npx brickproof sign …`), or give a JSON file with the `file` directive; mark a command
 * that must fail with `# exit N`; follow it with a ```text block of the lines that matter
 * (stdout and stderr of the whole block, in order). Each block is its own test, named by
 * its README line, so a broken example names itself.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const FULL = Boolean(process.env.BRICKPROOF_FULL);

interface Block {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** A heading lies between this block and the one before it. */
  newSection: boolean;
  directive?: { kind: 'skip' | 'full' | 'file'; arg: string };
}

function readmeBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let heading = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('#')) heading = true;
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`README.md:${i + 1}: a fence that never closes`);
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const d = /^<!-- readme-test: (skip|full|file)\s*(.*?)\s*-->$/.exec(lines[j] ?? '');
    blocks.push({ lang: open[1]!, code: lines.slice(i + 1, end).join('\n'), line: i + 1, newSection: heading, ...(d ? { directive: { kind: d[1] as 'skip' | 'full' | 'file', arg: d[2]! } } : {}) });
    i = end;
    heading = false;
  }
  return blocks;
}

const blocks = readmeBlocks(readFileSync(join(repo, 'README.md'), 'utf8'));

/** A project where brickproof is installed as a dependency, as `npm install brickproof` leaves it. */
function userProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'brickproof-readme-'));
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(repo, join(dir, 'node_modules/brickproof'), 'dir');
  symlinkSync('../brickproof/bin/brickproof.js', join(dir, 'node_modules/.bin/brickproof'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-reader', private: true, type: 'module' }));
  return dir;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, npm_config_yes: 'false', npm_config_update_notifier: 'false' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/**
 * The block as a bash script that checks every command's exit code: commands are the
 * block's lines joined at trailing backslashes; `# exit N` at the end of one says it
 * exits N.
 */
function checkedScript(code: string): string {
  const commands: string[] = [];
  let current = '';
  for (const line of code.split('\n')) {
    current += current ? `\n${line}` : line;
    if (line.endsWith('\\')) continue;
    if (current.trim() && !current.trim().startsWith('#')) commands.push(current);
    current = '';
  }
  return commands
    .map((c, i) => {
      const want = Number(/#\s*exit (\d+)\b[^'"]*$/.exec(c)?.[1] ?? 0);
      return `${c}\nrc=$?; if [ $rc -ne ${want} ]; then echo "README command ${i + 1} exited $rc, expected ${want}" >&2; exit 1; fi`;
    })
    .join('\n');
}

/** The lines of an expected-output block appear in `out`, in order (`…` skips any number of lines). */
function missingFrom(out: string, expected: string): string | undefined {
  const got = out.split('\n').map((l) => l.trimEnd());
  let at = 0;
  for (const want of expected.split('\n').map((l) => l.trimEnd())) {
    if (want === '…' || want === '') continue;
    const found = got.indexOf(want, at);
    if (found < 0) return want;
    at = found + 1;
  }
  return undefined;
}

describe('README.md', () => {
  it('says what every block is: sh, ts, js and text blocks run or are checked; json and yaml are shapes and recipes', () => {
    const unknown = blocks.filter((b) => !['sh', 'ts', 'js', 'text', 'json', 'yaml'].includes(b.lang));
    expect(unknown.map((b) => `README.md:${b.line} \`\`\`${b.lang}`)).toEqual([]);
    expect(blocks.filter((b) => b.lang === 'sh' || b.lang === 'ts' || b.lang === 'js').length).toBeGreaterThan(10);
  });

  it('gives a reason for every block it does not run', () => {
    const skipped = blocks.filter((b) => b.directive?.kind === 'skip');
    for (const b of skipped) expect(b.directive!.arg, `README.md:${b.line}`).toMatch(/\w{3,}.*\w{3,}/);
    // Written here so that a new skip is a visible change: the repository's own commands.
    expect(skipped.map((b) => b.code.split('\n')[0])).toEqual(['npm install && npm start']);
  });

  it('uses `npx brickproof` in its commands, as a project that installed brickproof runs it', () => {
    const bare = blocks.filter((b) => b.lang === 'sh' && b.directive?.kind !== 'skip').flatMap((b) => b.code.split('\n').filter((l) => /(^|[;&|(]\s*)brickproof\s/.test(l)).map((l) => `README.md:${b.line}: ${l}`));
    expect(bare).toEqual([]);
  });

  describe('every example runs as pasted, in order, in a project that installed brickproof', () => {
    const dir = userProject();
    // The examples write results files (37 MB for the double plan), dumps and keys.
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    // Files the examples use, given by the README itself.
    for (const b of blocks.filter((x) => x.directive?.kind === 'file')) writeFileSync(join(dir, b.directive!.arg), `${b.code}\n`);
    let lastOutput = '';
    /** Whether the example before the current block runs here, and so has an output to check. */
    let previousRuns = false;
    for (const [n, b] of blocks.entries()) {
      const where = `README.md:${b.line} (${b.lang})`;
      if (b.lang === 'text') {
        if (!b.newSection && n > 0 && ['sh', 'ts', 'js'].includes(blocks[n - 1]!.lang)) {
          it.runIf(previousRuns)(`${where}: is what the example before it prints`, () => {
            expect(missingFrom(lastOutput, b.code), `${where}: this line is not in the output:\n${lastOutput}`).toBeUndefined();
          });
        }
        continue;
      }
      if (!['sh', 'ts', 'js'].includes(b.lang)) continue;
      previousRuns = false;
      if (b.directive?.kind === 'skip') continue;
      const full = b.directive?.kind === 'full';
      previousRuns = !full || FULL;
      it.runIf(previousRuns)(`${where}: ${b.code.split('\n').find((l) => l.trim() && !l.startsWith('//') && !l.startsWith('#'))!.trim().slice(0, 90)}`, async () => {
        const file = join(dir, `block-${n}.${b.lang === 'sh' ? 'sh' : b.lang === 'ts' ? 'mts' : 'mjs'}`);
        writeFileSync(file, b.lang === 'sh' ? checkedScript(b.code) : b.code);
        const r = b.lang === 'sh' ? await run('bash', [file], dir) : b.lang === 'ts' ? await run(process.execPath, [join(repo, 'node_modules/tsx/dist/cli.mjs'), file], dir) : await run(process.execPath, [file], dir);
        lastOutput = r.out;
        expect(r.code, `${where} failed:\n${r.out.slice(-3000)}`).toBe(0);
      }, full ? 1_800_000 : 600_000);
    }
  });
});
