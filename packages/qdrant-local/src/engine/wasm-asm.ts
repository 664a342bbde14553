/**
 * The few pieces of WebAssembly bytecode the search kernels (dot-kernel.ts, int8-kernel.ts) are
 * assembled from: LEB128 numbers, the opcodes they use, and a one-function module importing its
 * memory as `env.mem` and exporting `(i32 × 5) → ()`. Each kernel is ~150 bytes, so assembling it
 * here beats a build step.
 */
export const leb = (value: number): number[] => {
  const out: number[] = [];
  let n = value;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};

export const SIMD = 0xfd;
export const get = (i: number) => [0x20, i];
export const set = (i: number) => [0x21, i];
export const tee = (i: number) => [0x22, i];
export const i32 = (n: number) => [0x41, ...leb(n)];
export const I32_ADD = 0x6a;
export const I32_LT_U = 0x49;
export const I32_EQZ = 0x45;
export const BLOCK = [0x02, 0x40];
export const LOOP = [0x03, 0x40];
export const END = 0x0b;
export const BR_IF = (depth: number) => [0x0d, depth];
export const V128_ZERO = [SIMD, 0x0c, ...new Array<number>(16).fill(0)];

const name = (s: string) => [s.length, ...Buffer.from(s, 'latin1')];
const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];

/** A module with one exported function `(i32, i32, i32, i32, i32) → ()` of `body` (locals first). */
export function kernelModule(exportName: string, body: number[]): Uint8Array {
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...name('env'), ...name('mem'), 2, 0, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name(exportName), 0, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

/** The parts of the WebAssembly API used here (the package compiles without the DOM lib). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A growable linear memory of `pages` × 64 KiB. */
export const createMemory = (pages: number): WasmMemory => new wasm.Memory({ initial: pages });

/** A kernel `(a, b, strideBytes, count, out)` over a memory. */
export type KernelFn = (query: number, rows: number, strideBytes: number, count: number, out: number) => void;

/**
 * Compiles `bytes` once (per returned loader) and instantiates it over a memory, or gives null
 * where WebAssembly SIMD is unavailable (the callers then score in JavaScript).
 */
export function kernelLoader(bytes: Uint8Array, exportName: string): (memory: WasmMemory) => KernelFn | null {
  let compiled: object | null | undefined;
  return (memory) => {
    if (compiled === undefined) compiled = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
    if (compiled === null) return null;
    return new wasm.Instance(compiled, { env: { mem: memory } }).exports[exportName] as KernelFn;
  };
}
