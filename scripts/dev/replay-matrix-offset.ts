// Dev tool: replays the swap-offset cases of ../shared/vectors/mcuboot-matrix (traces line by
// line, device SHA-256 after every step, boot results) and their power-fail sweeps (booted
// versions, resume op count and device hash class at every k), reporting the first
// differences. `--no-sweeps` replays the steps only; further arguments filter case ids.
//   node scripts/build-wasm.js && npx tsx scripts/dev/replay-matrix-offset.ts [--no-sweeps] [id-substring…]
import { join } from 'node:path';
import {
  MATRIX_DIR, matrixCases, matrixDevice, matrixDumpBefore, runAction, sha256Hex, sweepPoint, traceLines, versionChar, versionText,
} from '../../test/device/mcuboot-vectors.js';

const args = process.argv.slice(2);
const sweeps = !args.includes('--no-sweeps');
const filters = args.filter((a) => !a.startsWith('--'));
const cases = matrixCases('offset').filter((c) => filters.length === 0 || filters.some((f) => c.id.includes(f)));

let casesOk = 0, casesBad = 0, pointsOk = 0, pointsBad = 0;
for (const c of cases) {
  const dev = matrixDevice(c);
  dev.core.loadDump(matrixDumpBefore(c, 1));
  let ok = true;
  for (const st of c.steps) {
    const r = runAction(dev, st.action);
    if (st.trace) {
      const want = traceLines(join(MATRIX_DIR, st.trace));
      const got = dev.trace();
      for (let i = 0; i < Math.max(want.length, got.length); i++) {
        if (want[i] !== got[i]) {
          console.log(`${c.id} step ${st.step}: trace differs at line ${i + 1}: want ${want[i]} got ${got[i]} (want ${want.length} ops, got ${got.length})`);
          ok = false;
          break;
        }
      }
    }
    const hash = sha256Hex(dev.core.dump());
    if (hash !== st.sha256_after) {
      console.log(`${c.id} step ${st.step} (${st.action}): device SHA-256 differs`);
      ok = false;
    }
    if (typeof r !== 'number' && st.result.ok !== undefined) {
      if ((r.outcome === 'ok') !== st.result.ok || (st.result.ok && versionText(r) !== st.result.version)) {
        console.log(`${c.id} step ${st.step}: result want ok=${st.result.ok} ${st.result.version} got ${r.outcome} ${versionText(r)}`);
        ok = false;
      }
    }
    if (!ok) break;
  }
  if (ok) casesOk++; else casesBad++;

  if (!sweeps) continue;
  for (const [name, sw] of Object.entries(c.power_fail_sweeps)) {
    const before = matrixDumpBefore(c, sw.boot_step);
    let bad = 0;
    for (let k = 1; k <= sw.points; k++) {
      const p = sweepPoint(dev, before, k);
      const i = k - 1;
      const problems: string[] = [];
      if (!p.cut) problems.push('the boot was not cut');
      if (versionChar(p.reboot1) !== sw.reboot1_versions[i]) problems.push(`reboot 1 booted ${versionChar(p.reboot1)}, want ${sw.reboot1_versions[i]}`);
      if (versionChar(p.reboot2) !== sw.reboot2_versions[i]) problems.push(`reboot 2 booted ${versionChar(p.reboot2)}, want ${sw.reboot2_versions[i]}`);
      if (p.reboot1Ops !== sw.reboot1_ops[i]) problems.push(`reboot 1 made ${p.reboot1Ops} ops, want ${sw.reboot1_ops[i]}`);
      if (p.hash1 !== sw.flash_sha256_classes[parseInt(sw.reboot1_flash_class[i], 36)]) problems.push('device after reboot 1 differs');
      if (p.hash2 !== sw.flash_sha256_classes[parseInt(sw.reboot2_flash_class[i], 36)]) problems.push('device after reboot 2 differs');
      if (problems.length) {
        if (bad < 5) console.log(`${c.id} ${name} sweep k=${k}: ${problems.join('; ')}`);
        bad++;
        pointsBad++;
      } else {
        pointsOk++;
      }
    }
    if (bad > 5) console.log(`${c.id} ${name} sweep: ${bad} points differ in all`);
  }
}
console.log(`cases: ${casesOk} passed, ${casesBad} failed` + (sweeps ? `; sweep points: ${pointsOk} passed, ${pointsBad} failed` : ''));
