/**
 * The slice of the WebAssembly JS API this folder uses, typed locally: the project compiles with lib ES2022 and
 * @types/node 20, which do not declare the `WebAssembly` global (it lives in lib.dom).
 */
export interface WasmModule { readonly __wasmModule?: never }
export interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
export interface WasmImportDescriptor { module: string; name: string; kind: string }
export type WasmImportValue = WasmMemory | object | number;

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(m: WasmModule): WasmImportDescriptor[];
    exports(m: WasmModule): { name: string; kind: string }[];
    customSections(m: WasmModule, name: string): ArrayBuffer[];
  };
  Instance: new (m: WasmModule, imports: Record<string, Record<string, WasmImportValue>>) => {
    readonly exports: Record<string, unknown>;
  };
  Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
  Global: new (desc: { value: 'i32'; mutable: boolean }, v: number) => object;
  Table: new (desc: { initial: number; element: 'anyfunc' }) => object;
}

export const Wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function isWasmMemory(x: unknown): x is WasmMemory {
  return x instanceof (Wasm.Memory as unknown as new () => object);
}
