// Dev tool: replays ../shared/vectors/mcuboot-boot scenarios and reports the first difference.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Device } from '../../src/device/device.js';
import { resolveGeometry } from '../../src/device/geometry.js';
import { findProfile } from '../../src/device/profiles.js';
import { parseKey, publicKeyOf } from '../../src/image/keys.js';
import { isPowerCut } from '../../src/core.js';

const V = '../shared/vectors/mcuboot-boot/';
const m = JSON.parse(readFileSync(V + 'manifest.json', 'utf8'));
const key = publicKeyOf(parseKey(readFileSync('../shared/vectors/imgtool/keys/ecdsa-p256.pub.pem')));
const names: Record<string, string> = { scratch: 'swap-scratch', move: 'swap-move', offset: 'swap-offset', overwrite: 'overwrite-only' };
const only = process.argv.slice(2);
let pass = 0, fail = 0;
for (const [strat, sdata] of Object.entries<any>(m.strategies)) {
  if (only.length && !only.includes(strat)) continue;
  for (const [scen, sc] of Object.entries<any>(sdata.scenarios)) {
    const dev = new Device(resolveGeometry(findProfile('mcuboot-boot') as any), { strategy: names[strat] as any, keys: [key] });
    dev.core.loadDump(gunzipSync(readFileSync(`${V}${strat}/${scen}/00-before.bin.gz`)));
    let ok = true;
    for (const st of sc.steps) {
      let r: any;
      if (st.action === 'boot') r = dev.boot();
      else if (st.action === 'confirm') r = dev.setConfirmed();
      else if (st.action === 'pending0') r = dev.setPending(false);
      else if (st.action === 'pending1') r = dev.setPending(true);
      if (isPowerCut(r)) throw new Error('cut?');
      const got = dev.trace();
      if (st.op_trace) {
        const want = gunzipSync(readFileSync(V + st.op_trace)).toString().trim().split('\n').filter(Boolean);
        const n = Math.max(want.length, got.length);
        for (let i = 0; i < n; i++) if (want[i] !== got[i]) { console.log(`${strat}/${scen} step ${st.step}: trace differs at line ${i + 1}: want ${want[i]} got ${got[i]} (want ${want.length} ops, got ${got.length})`); ok = false; break; }
      }
      const after = gunzipSync(readFileSync(V + st.dump));
      const mine = dev.core.dump();
      let diff = -1;
      for (let i = 0; i < after.length; i++) if (after[i] !== mine[i]) { diff = i; break; }
      if (diff >= 0) { console.log(`${strat}/${scen} step ${st.step} (${st.action}): dump differs at 0x${diff.toString(16)} want ${after[diff]} got ${mine[diff]}`); ok = false; }
      if (st.action === 'boot' && st.result) {
        const wantOk = st.result.ok, gotOk = r.outcome === 'ok';
        const wantV = st.result.version;
        const gotV = r.version ? `${r.version.major}.${r.version.minor}.${r.version.revision}+${r.version.build}` : undefined;
        if (wantOk !== gotOk || (wantOk && wantV !== gotV)) { console.log(`${strat}/${scen} step ${st.step}: result want ok=${wantOk} ${wantV} got ${r.outcome} ${gotV}`); ok = false; }
        const st2 = ['', 'none', 'test', 'perm', 'revert', 'fail'][st.result.swap_type] ?? st.result.swap_type;
        if (st2 !== r.swapType) console.log(`  (swap type want ${st2} got ${r.swapType})`);
      }
      if (!ok) break;
    }
    if (ok) pass++; else fail++;
  }
}
console.log(`${pass} passed, ${fail} failed`);
