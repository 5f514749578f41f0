/**
 * Reading back what src/export/tflite/metadata.ts writes, straight from the flatbuffer (no generated code):
 * Model.metadata entries by name, the layernas network string, the SignatureDef keys. Returns null for what a file
 * does not carry (files written by other tools).
 */
import { ByteBuffer } from 'flatbuffers';
import { LAYERNAS_ARCH_NAME } from './metadata.js';

/** offset of field `slot` of the table at `table`, or 0 when absent */
const field = (bb: ByteBuffer, table: number, slot: number): number => bb.__offset(table, 4 + 2 * slot);

function vectorTables(bb: ByteBuffer, table: number, slot: number): number[] {
  const o = field(bb, table, slot);
  if (!o) return [];
  const start = bb.__vector(table + o);
  return Array.from({ length: bb.__vector_len(table + o) }, (_, i) => bb.__indirect(start + 4 * i));
}

function str(bb: ByteBuffer, table: number, slot: number): string | null {
  const o = field(bb, table, slot);
  return o ? (bb.__string(table + o) as string) : null;
}

function rootOf(bytes: Uint8Array): { bb: ByteBuffer; root: number } | null {
  if (bytes.length < 8) return null;
  const bb = new ByteBuffer(bytes);
  if (!bb.__has_identifier('TFL3')) return null;
  return { bb, root: bb.readInt32(0) };
}

/** the bytes of the model-level metadata entry `name` (e.g. "TFLITE_METADATA"), or null */
export function readTfliteMetadataEntry(bytes: Uint8Array, name: string): Uint8Array | null {
  const r = rootOf(bytes);
  if (!r) return null;
  const { bb, root } = r;
  const buffers = vectorTables(bb, root, 4);
  for (const m of vectorTables(bb, root, 6)) {
    if (str(bb, m, 0) !== name) continue;
    const bo = field(bb, m, 1);
    const buffer = buffers[bo ? bb.readUint32(m + bo) : 0];
    if (buffer === undefined) return null;
    const d = field(bb, buffer, 0);
    if (!d) return null;
    const start = bb.__vector(buffer + d);
    return bytes.subarray(start, start + bb.__vector_len(buffer + d));
  }
  return null;
}

/** the network string layernas stored in the file, or null */
export function readTfliteLayernasArch(bytes: Uint8Array): string | null {
  const data = readTfliteMetadataEntry(bytes, LAYERNAS_ARCH_NAME);
  return data ? new TextDecoder().decode(data) : null;
}

/** signature keys of the file's SignatureDefs */
export function readTfliteSignatureKeys(bytes: Uint8Array): string[] {
  const r = rootOf(bytes);
  if (!r) return [];
  return vectorTables(r.bb, r.root, 7).map((s) => str(r.bb, s, 2) ?? '');
}
