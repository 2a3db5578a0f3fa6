// A Vite app's entry: no WASM options at all; Vite emits iova_model.wasm as an asset next to
// the bundle and the browser entry finds it there. The result lands in #out.
import { IovaLab, cacheByName } from 'iova-lab';

const out = document.getElementById('out');
try {
  const lab = await IovaLab.create({ possibleCpus: 128 });
  lab.createDomain();
  out.textContent = JSON.stringify({ magazines: cacheByName(lab.snapshot(), 'iommu_iova_magazine').activeObjs });
  lab.dispose();
} catch (e) {
  out.textContent = `error: ${e && e.name}: ${e && e.message}`;
}
