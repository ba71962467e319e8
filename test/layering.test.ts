/**
 * The layering of src/ (DESIGN.md, "Shape"; the rules in .dependency-cruiser.cjs): imports
 * point down only (cli → node → campaign/fleet → app → device → image → core), only cli/
 * and node/ import Node built-ins, and nothing imports in a cycle. dependency-cruiser checks
 * it here, so `npm test` and CI hold the rule.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const config = createRequire(import.meta.url)(`${root}.dependency-cruiser.cjs`) as { forbidden: unknown[]; options: Record<string, unknown> };

/** Every rule broken in `dir`/src, as `rule: from → to`. */
async function violations(dir: string): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const result = await cruise(['src'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } } as never);
    return (result.output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  } finally {
    process.chdir(cwd);
  }
}

describe('the layers of src/', () => {
  it('are kept: no upward import, no Node built-in below cli/ and node/, no cycle', async () => {
    expect(await violations(root)).toEqual([]);
  });

  it('are checked by rules that catch each kind of breach', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brickproof-layers-'));
    for (const d of ['core', 'image', 'device', 'cli']) mkdirSync(join(dir, 'src', d), { recursive: true });
    writeFileSync(join(dir, 'src/device/device.ts'), "import { a } from '../image/a.js';\nexport const d = a;\n");
    writeFileSync(join(dir, 'src/image/a.ts'), "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n");
    writeFileSync(join(dir, 'src/core/core.ts'), "import { d } from '../device/device.js';\nexport const c = d;\n");
    writeFileSync(join(dir, 'src/image/b.ts'), "import { c } from './c.js';\nexport const b = c;\n");
    writeFileSync(join(dir, 'src/image/c.ts'), "import { b } from './b.js';\nexport const c = b;\n");
    writeFileSync(join(dir, 'src/cli/main.ts'), "import { readFileSync } from 'node:fs';\nimport { d } from '../device/device.js';\nexport const m = [readFileSync, d];\n");
    const found = await violations(dir);
    expect(found).toContain('core-imports-upward: src/core/core.ts → src/device/device.ts');
    expect(found).toContain('node-builtin-outside-cli-and-node: src/image/a.ts → fs');
    expect(found.some((v) => v.startsWith('no-circular: src/image/'))).toBe(true);
    // cli/ may import Node built-ins and every layer below it.
    expect(found.filter((v) => v.includes('src/cli/'))).toEqual([]);
  });
});
