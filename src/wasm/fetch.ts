// Fetches a .wasm over HTTP(S) or any URL scheme the host's fetch knows, turning every failure
// into a WasmLoadError that names the URL and the HTTP status.
import { WasmLoadError } from '../errors.js';
import type { WasmSource } from './platform.js';

export async function fetchWasm(url: string | URL): Promise<WasmSource> {
  const where = String(url);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new WasmLoadError(`cannot fetch the WASM engine from ${where}: ${String(e)}`, where, undefined, e);
  }
  if (!response.ok) {
    throw new WasmLoadError(
      `cannot fetch the WASM engine from ${where}: HTTP ${response.status} ${response.statusText}`.trimEnd(),
      where, response.status,
    );
  }
  return { bytes: new Uint8Array(await response.arrayBuffer()), where };
}
