// A browser page's script as a consumer writes it: the package by name, the .wasm through its
// `iova-lab/wasm` subpath (esbuild's file loader turns it into a URL). The result lands in #out.
import { IovaLab, cacheByName } from 'iova-lab';
import wasmUrl from 'iova-lab/wasm';

const out = document.getElementById('out');
try {
  const lab = await IovaLab.create({ possibleCpus: 128, wasm: { wasmUrl } });
  const domain = lab.createDomain();
  const pfn = domain.allocFast(0, 1, 0xfffffn);
  domain.freeFast(0, pfn, 1);
  const s = lab.snapshot();
  let missing = 'none';
  await IovaLab.create({ possibleCpus: 1, wasm: { wasmUrl: './missing.wasm' } }).catch((e) => {
    missing = `${e.name} ${e.httpStatus}`;
  });
  out.textContent = JSON.stringify({
    domains: s.domains.length,
    magazines: cacheByName(s, 'iommu_iova_magazine').activeObjs,
    pfn: pfn.toString(16),
    cached: s.domains[0].cachedPfns,
    missing,
  });
  lab.dispose();
} catch (e) {
  out.textContent = `error: ${e && e.name}: ${e && e.message}`;
}
