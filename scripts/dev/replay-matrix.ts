// Dev tool: replays ../shared/vectors/mcuboot-matrix cases (README "How to replay a case") and
// reports the first difference per step, then, with --sweeps, every power-fail sweep point
// whose booted versions, resume op count or device hashes differ from the recording.
//
//   npx tsx scripts/dev/replay-matrix.ts [strategy ...] [--sweeps] [--case SUBSTRING]
//
// Strategies are the matrix's names (scratch, move, offset, overwrite); default: move.
import {
  deviceHash, gunzip, matrixCases, matrixDevice, matrixDir, opCount, readTrace, runAction, sameResult, sweep, versionChar,
} from '../../test/mcuboot-vectors.js';
import { versionString, type BootResult } from '../../src/device/device.js';

const args = process.argv.slice(2);
const withSweeps = args.includes('--sweeps');
const caseFilter = args.includes('--case') ? args[args.indexOf('--case') + 1] : undefined;
const strategies = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--case');
if (strategies.length === 0) strategies.push('move');

let casesOk = 0, casesBad = 0, pointsOk = 0, pointsBad = 0;
for (const strategy of strategies) {
  for (const c of matrixCases(strategy)) {
    if (caseFilter && !c.id.includes(caseFilter)) continue;
    const dev = matrixDevice(c);
    const before: Uint8Array[] = [dev.core.dump()];
    let ok = true;
    for (const st of c.steps) {
      const r = runAction(dev, st.action);
      before.push(dev.core.dump());
      const want = readTrace(matrixDir + st.trace);
      const got = dev.trace();
      const n = Math.max(want.length, got.length);
      for (let i = 0; i < n; i++) {
        if (want[i] !== got[i]) {
          console.log(`${c.id} step ${st.step}: trace line ${i + 1}: want ${want[i]} got ${got[i]} (want ${want.length} ops, got ${got.length})`);
          ok = false;
          break;
        }
      }
      if (deviceHash(dev) !== st.sha256_after) {
        const after = gunzip(matrixDir + st.dump_after);
        const mine = dev.core.flash;
        const at = after.findIndex((b, i) => b !== mine[i]);
        console.log(`${c.id} step ${st.step}: device differs at 0x${at.toString(16)} (want ${after[at]} got ${mine[at]})`);
        ok = false;
      }
      if (st.action === 'boot' && st.result && !sameResult(r as BootResult, st.result)) {
        const b = r as BootResult;
        console.log(`${c.id} step ${st.step}: result want ok=${st.result.ok} ${st.result.version} type ${st.result.swap_type}, got ${b.outcome} ${versionString(b.version)} ${b.swapType}`);
        ok = false;
      }
      if (!ok) break;
    }
    if (ok) casesOk++; else casesBad++;
    if (!withSweeps || !ok) continue;

    for (const [name, sw] of Object.entries(c.power_fail_sweeps)) {
      const start = before[sw.boot_step - 1];
      const ks = Array.from({ length: sw.points }, (_, i) => i + 1);
      let bad = 0;
      for (const p of sweep(dev, start, ks)) {
        const i = p.k - 1;
        const diffs: string[] = [];
        if (versionChar(p.reboot1) !== sw.reboot1_versions[i]) diffs.push(`reboot1 ${versionChar(p.reboot1)} want ${sw.reboot1_versions[i]}`);
        if (versionChar(p.reboot2) !== sw.reboot2_versions[i]) diffs.push(`reboot2 ${versionChar(p.reboot2)} want ${sw.reboot2_versions[i]}`);
        if (opCount(p.reboot1) !== sw.reboot1_ops[i]) diffs.push(`reboot1 ops ${opCount(p.reboot1)} want ${sw.reboot1_ops[i]}`);
        if (p.hash1 !== sw.flash_sha256_classes[parseInt(sw.reboot1_flash_class[i], 36)]) diffs.push('reboot1 flash');
        if (p.hash2 !== sw.flash_sha256_classes[parseInt(sw.reboot2_flash_class[i], 36)]) diffs.push('reboot2 flash');
        if (diffs.length) {
          if (bad < 5) console.log(`${c.id} ${name} k=${p.k} (${p.op}): ${diffs.join(', ')}`);
          bad++;
        }
      }
      pointsOk += sw.points - bad;
      pointsBad += bad;
      console.log(`${c.id} ${name}: ${sw.points - bad}/${sw.points} points match`);
    }
  }
}
console.log(`cases: ${casesOk} passed, ${casesBad} failed` + (withSweeps ? `; sweep points: ${pointsOk} passed, ${pointsBad} failed` : ''));
