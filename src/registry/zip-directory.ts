/**
 * Reads the central directory of a zip archive (an .xlsx is one) without unpacking anything, so a workbook
 * that would unpack to gigabytes (a zip bomb) or hold thousands of sheets is refused before a parser sees it.
 * The sizes are the ones the archive declares; a lying archive is still stopped by the parse worker's heap limit.
 */
export interface ZipDirectory {
  entries: { name: string; unpackedBytes: number }[];
  unpackedBytes: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

/** The archive's entries, or undefined when the bytes are not a readable zip (truncated, damaged, ZIP64). */
export function readZipDirectory(bytes: Uint8Array): ZipDirectory | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record: 22 bytes, then a comment of up to 65,535 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= 0 && i >= bytes.length - 22 - 0xffff; i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = view.getUint16(eocd + 10, true);
  const size = view.getUint32(eocd + 12, true);
  const offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff || offset + size > eocd) return undefined; // ZIP64: no workbook we take needs it
  const decoder = new TextDecoder();
  const entries: ZipDirectory["entries"] = [];
  let unpackedBytes = 0;
  let at = offset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CENTRAL) return undefined;
    const unpacked = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    if (unpacked === 0xffffffff || at + 46 + nameLength > eocd) return undefined;
    entries.push({ name: decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)), unpackedBytes: unpacked });
    unpackedBytes += unpacked;
    at += 46 + nameLength + extraLength + commentLength;
  }
  return { entries, unpackedBytes };
}
