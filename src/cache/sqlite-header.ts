import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * Why a SQLite file is shorter than its own header says, or undefined. SQLite makes this check when it
 * opens a file (a file cut short is SQLITE_CORRUPT), but libsql keeps a closed connection until its
 * statements are collected, and a store opened again in the same process then takes the database's
 * size from that connection's shared WAL index and reads the cut file as whole until a query hits a
 * missing page. Reading the header first finds it at open, in every process.
 */
export function cutShort(file: string): string | undefined {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return undefined;
  }
  if (size < 100) return undefined;
  const header = Buffer.alloc(100);
  const descriptor = openSync(file, 'r');
  try {
    readSync(descriptor, header, 0, 100, 0);
  } finally {
    closeSync(descriptor);
  }
  // Not SQLite at all: SQLite's own SQLITE_NOTADB says so.
  if (header.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') return undefined;
  // The page count at 28 is valid only when the change counter at 24 equals the version-valid-for number at 92.
  if (header.readUInt32BE(24) !== header.readUInt32BE(92)) return undefined;
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  const pages = header.readUInt32BE(28);
  if (pages * pageSize <= size) return undefined;
  return `database disk image is malformed: the file has ${size} bytes where its header counts ${pages} pages of ${pageSize}`;
}
