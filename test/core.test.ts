/**
 * The boundary between TypeScript and the WebAssembly core (src/core.ts; DESIGN.md, "The
 * boundary"): flash sits below the module's own memory, a reboot is a new instance over the
 * same memory, and every trap is either a power cut, a broken flash rule, or a bug.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Core, CoreBug, FlashRuleError, PowerCut, sha256 } from '../src/core.js';
import { resolveGeometry } from '../src/device/geometry.js';

const KiB = 1024;
const PRIMARY = 1;

function makeCore(): Core {
  return new Core(
    resolveGeometry({
      name: 'core-test',
      flash: [{ id: 0, sectors: [[4 * KiB, 16]], writeAlign: 8 }],
      areas: { primary: { flash: 0, offset: 0, size: 32 * KiB }, secondary: { flash: 0, offset: 32 * KiB, size: 32 * KiB } },
    }),
  );
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('memory layout', () => {
  it('puts the arena limit exactly at asconfig.json memoryBase', () => {
    const asconfig = JSON.parse(readFileSync(new URL('../asconfig.json', import.meta.url), 'utf8')) as { options: { memoryBase: number } };
    const core = makeCore();
    expect(core.exports.arenaLimit()).toBe(asconfig.options.memoryBase);
  });

  it("keeps the module's own data above the arena, and the flash below it", () => {
    const core = makeCore();
    const limit = core.exports.arenaLimit();
    const wat = readFileSync(new URL('../build/brickproof.wat', import.meta.url), 'utf8');
    const segments = [...wat.matchAll(/^ \(data \$\S+ \(i32\.const (\d+)\)/gm)].map((m) => Number(m[1]));
    expect(segments.length).toBeGreaterThan(0);
    for (const at of segments) expect(at).toBeGreaterThanOrEqual(limit);
    expect(core.flashPtr + core.flashSize).toBeLessThanOrEqual(limit);
  });

  it('gives the module the memory its import asks for: the arena and one page for its data', () => {
    const asconfig = JSON.parse(readFileSync(new URL('../asconfig.json', import.meta.url), 'utf8')) as { options: { memoryBase: number; initialMemory: number } };
    const wat = readFileSync(new URL('../build/brickproof.wat', import.meta.url), 'utf8');
    const pages = Number(/\(import "env" "memory" \(memory \$\S+ (\d+)\)\)/.exec(wat)?.[1]);
    expect(pages).toBe(asconfig.options.initialMemory);
    // src/core.ts grows a new core's memory to this before the first instance.
    expect(pages).toBe(asconfig.options.memoryBase / 65536 + 1);
  });
});

describe('reboot', () => {
  /** Starts a hash of "ab" in the core; its length lives in module globals (assembly/sha256.ts). */
  function startHash(core: Core): void {
    core.bytes.set([0x61, 0x62], core.ioPtr);
    core.call((ex) => {
      ex.sha256Init();
      ex.sha256Update(core.ioPtr, 2);
    });
  }
  const finish = (core: Core) => {
    core.call((ex) => ex.sha256Final(core.ioPtr));
    return hex(core.bytes.slice(core.ioPtr, core.ioPtr + 32));
  };

  it('without a reboot, module globals carry on between calls', () => {
    const core = makeCore();
    startHash(core);
    expect(finish(core)).toBe(hex(sha256(Uint8Array.of(0x61, 0x62))));
  });

  it('starts a fresh instance: module globals and statics are as at first power-on', () => {
    const fresh = finish(makeCore());
    const core = makeCore();
    startHash(core);
    core.reboot();
    // The pending "ab" and the message length were RAM: nothing of them is left.
    expect(finish(core)).toBe(fresh);
    expect(fresh).not.toBe(hex(sha256(Uint8Array.of(0x61, 0x62))));
  });

  it('keeps the flash, byte for byte', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    core.program(PRIMARY, 0, new Uint8Array(64).fill(0x5a));
    const flash = core.dump();
    core.reboot();
    expect(Buffer.compare(core.dump(), flash)).toBe(0);
    expect(core.read(PRIMARY, 0, 64)).toEqual(new Uint8Array(64).fill(0x5a));
  });
});

describe('traps', () => {
  it('turns a power cut into a PowerCut value and halts the core until reboot', () => {
    const core = makeCore();
    core.armPowerCut(1);
    expect(core.run((ex) => ex.flashErase(PRIMARY, 0, 4 * KiB))).toBeInstanceOf(PowerCut);
    expect(() => core.exports).toThrow(CoreBug);
    expect(() => core.exports).toThrow('the core is halted after a power cut or trap: reboot() it first');
    core.reboot();
    expect(core.run((ex) => ex.flashErase(PRIMARY, 0, 4 * KiB))).toBeUndefined();
  });

  it('throws a FlashRuleError naming the rule, area, offset and length', () => {
    const core = makeCore();
    const error = (() => {
      try {
        core.run((ex) => ex.flashErase(PRIMARY, 0x100, 4 * KiB));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FlashRuleError);
    expect(error).toMatchObject({ rule: 'not a whole number of sectors', area: PRIMARY, offset: 0x100, length: 0x1000 });
    expect((error as Error).message).toBe('flash rule broken: not a whole number of sectors — area 1, offset 0x100, length 0x1000');
  });

  it("rethrows any other trap as a CoreBug carrying the core's abort message and the trap", () => {
    const core = makeCore();
    // The benchmark entry point aborts on purpose when asked to (assembly/bench.ts).
    const bench = core.exports.bench;
    let error: unknown;
    try {
      core.run(() => bench(4 /* BENCH_ABORT */, 0, 0, 0));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CoreBug);
    expect((error as Error).message).toMatch(/^brickproof core trapped: deliberate abort at assembly\/bench\.ts:\d+:\d+$/);
    expect((error as Error).cause).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(() => core.exports).toThrow(/halted/);
  });

  it('rethrows a trap without an abort message with the engine message', () => {
    const core = makeCore();
    const out = 0xfffffff0; // far past the end of memory
    expect(() => core.run((ex) => ex.sha256(0, 64, out))).toThrow(/^brickproof core trapped: memory access out of bounds/);
  });

  it('treats a power cut where none is expected (call) as a bug', () => {
    const core = makeCore();
    core.armPowerCut(1);
    expect(() => core.call((ex) => ex.flashErase(PRIMARY, 0, 4 * KiB))).toThrow(new CoreBug('unexpected power cut at op 1'));
  });

  it('lets an error thrown by the host code inside run() through unchanged, without halting', () => {
    const core = makeCore();
    const mine = new Error('not from the core');
    expect(() =>
      core.run(() => {
        throw mine;
      }),
    ).toThrow(mine);
    expect(() => core.exports).not.toThrow();
  });
});
