// Instantiates the WASM build of native/ (internal: the library's labs call it, users pass
// WasmLoadOptions). Every failure is a WasmLoadError naming the file or URL; a failed load is
// never cached, so a later call can succeed.
import { platform } from '#wasm-platform';
import type { IovaModule } from '../bindings.js';
import { WasmLoadError } from '../errors.js';
import type { WasmLoadOptions } from './options.js';
import type { WasmSource } from './platform.js';

/** The file name locateFile is asked about. */
export const WASM_FILE = 'iova_model.wasm';

const SOURCES = ['wasmBinary', 'wasmUrl', 'locateFile', 'module'] as const;

let shared: Promise<IovaModule> | undefined;

function source(options: WasmLoadOptions): Promise<WasmSource> {
  if (options.wasmBinary !== undefined) {
    const b = options.wasmBinary;
    if (!(b instanceof ArrayBuffer) && !(b instanceof Uint8Array)) {
      throw new WasmLoadError(`wasmBinary must be an ArrayBuffer or Uint8Array, got ${describe(b)}`, 'wasmBinary');
    }
    return Promise.resolve({ bytes: b, where: 'the wasmBinary option' });
  }
  if (options.wasmUrl !== undefined) return platform.read(location('wasmUrl', options.wasmUrl));
  if (options.locateFile !== undefined) {
    if (typeof options.locateFile !== 'function') {
      throw new WasmLoadError(`locateFile must be a function, got ${describe(options.locateFile)}`, 'locateFile');
    }
    return platform.read(location(`locateFile('${WASM_FILE}')`, options.locateFile(WASM_FILE)));
  }
  return platform.readDefault();
}

function location(what: string, value: unknown): string {
  const href = typeof value === 'object' && value !== null ? (value as { href?: unknown }).href : value;
  if (typeof href === 'string' && href !== '') return href;
  throw new WasmLoadError(`${what} must be a non-empty string or URL, got ${describe(value)}`, what);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint' ? `${value as string}` : t;
}

async function instantiate(options: WasmLoadOptions): Promise<IovaModule> {
  const { bytes, where } = await source(options);
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
    throw new WasmLoadError(`${where} is not a valid WebAssembly module (${bytes.byteLength} bytes)`, where);
  }
  const factory = await platform.glue();
  try {
    return await factory({ wasmBinary: bytes });
  } catch (e) {
    throw new WasmLoadError(`cannot instantiate the WASM engine from ${where}: ${String(e)}`, where, undefined, e);
  }
}

function preloaded(module: unknown): IovaModule {
  const m = module as Partial<IovaModule> | null;
  if (typeof m !== 'object' || m === null || typeof m._iova_lab_create_with_policy !== 'function') {
    throw new WasmLoadError(`module must be an instance from preloadWasm(), got ${describe(module)}`, 'module');
  }
  return m as IovaModule;
}

/** The module for these options. Without a source the instance is shared by the whole process. */
export async function loadIovaModule(options: WasmLoadOptions = {}): Promise<IovaModule> {
  if (typeof options !== 'object' || options === null) {
    throw new WasmLoadError(`wasm options must be an object, got ${describe(options)}`, 'options');
  }
  const given = SOURCES.filter((k) => options[k] !== undefined);
  if (given.length > 1) throw new WasmLoadError(`give one WASM source, got ${given.join(' and ')}`, given.join(', '));
  if (options.module !== undefined) return preloaded(options.module);
  if (given.length > 0) return instantiate(options);
  shared ??= instantiate(options).catch((e: unknown) => {
    shared = undefined;
    throw e;
  });
  return shared;
}
