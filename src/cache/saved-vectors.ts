import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FlatVectors } from './flat-vectors.js';
import { GraphVectors } from './graph-vectors.js';
import type { VectorPartition } from './vector-partition.js';

/**
 * How a vector index is kept beside the store, so a restart need not rebuild it. `<file>` holds the
 * small contexts' vectors (ids and floats) and a list of the large contexts' graphs, each in its own
 * usearch file `<file>.<context>.usearch` (usearch loads only whole files). `<file>.json` says what the
 * index covers and the size and SHA-256 of `<file>`; the list gives them for each graph. Every file is
 * checked before it is read, and a graph before the native loader sees it: a loader trusts the sizes
 * it reads, and a damaged header crashed the process (as hnswlib's did).
 */

/** What a saved index covers, to tell whether it still matches the store. */
export interface IndexSignature {
  count: number;
  idSum: number;
}

export function signatureOf(ids: Iterable<number>): IndexSignature {
  let count = 0;
  let idSum = 0;
  for (const id of ids) {
    count++;
    idSum += id;
  }
  return { count, idSum };
}

/** The ids of each context. */
function idsByContext(contexts: Map<number, string>): Map<string, number[]> {
  const grouped = new Map<string, number[]>();
  for (const [id, context] of contexts) {
    const ids = grouped.get(context);
    if (ids) ids.push(id);
    else grouped.set(context, [id]);
  }
  return grouped;
}

/** Changes whenever the layout does: a file of another layout (hnswlib's) is rebuilt quietly, not reported damaged. */
const format = 'frugal-cascade vectors 3';
const magic = Buffer.from('FCVECS03');

interface SavedIndex extends IndexSignature {
  format: string;
  dimensions: number;
  bytes: number;
  sha256: string;
}

interface SavedGraph extends IndexSignature {
  context: string;
  file: string;
  bytes: number;
  sha256: string;
}

/** The JSON head of `<file>`: the flat contexts, whose ids and vectors follow it in order, and the graphs. */
interface Layout {
  flat: { context: string; count: number }[];
  graphs: SavedGraph[];
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Why a file must not be read, or undefined when it is the one that was saved. */
function checkFile(file: string, bytes: number, checksum: string): string | undefined {
  if (!existsSync(file)) return 'it is missing';
  const size = statSync(file).size;
  if (size !== bytes) return `it has ${size} bytes where ${bytes} were saved`;
  if (sha256(readFileSync(file)) !== checksum) return 'its checksum does not match';
  return undefined;
}

/**
 * Write `file` (and its graphs and description), each to a temporary name first, then renamed.
 * `contexts` maps every id in the partitions to its context.
 */
export function saveVectors(
  file: string,
  dimensions: number,
  partitions: Map<string, VectorPartition>,
  contexts: Map<number, string>,
): void {
  const layout: Layout = { flat: [], graphs: [] };
  const payload: Buffer[] = [];
  const grouped = idsByContext(contexts);
  for (const [context, partition] of partitions) {
    if (partition instanceof GraphVectors) {
      const graphFile = `${file}.${context}.usearch`;
      partition.save(`${graphFile}.tmp`);
      const bytes = readFileSync(`${graphFile}.tmp`);
      renameSync(`${graphFile}.tmp`, graphFile);
      layout.graphs.push({
        context,
        ...signatureOf(grouped.get(context) ?? []),
        file: basename(graphFile),
        bytes: bytes.length,
        sha256: sha256(bytes),
      });
    } else if (partition instanceof FlatVectors) {
      const flatIds = new Float64Array(partition.size);
      const vectors = new Float32Array(partition.size * dimensions);
      let row = 0;
      for (const entry of partition.entries()) {
        flatIds[row] = entry.id;
        vectors.set(entry.vector, row * dimensions);
        row++;
      }
      layout.flat.push({ context, count: partition.size });
      payload.push(Buffer.from(flatIds.buffer), Buffer.from(vectors.buffer));
    }
  }
  const head = Buffer.from(JSON.stringify(layout));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length);
  const bytes = Buffer.concat([magic, length, head, ...payload]);
  writeFileSync(`${file}.tmp`, bytes);
  renameSync(`${file}.tmp`, file);
  const saved: SavedIndex = {
    format,
    ...signatureOf(contexts.keys()),
    dimensions,
    bytes: bytes.length,
    sha256: sha256(bytes),
  };
  writeFileSync(`${file}.json`, JSON.stringify(saved));
  // Graphs of contexts that are gone or small again would only take disk.
  const kept = new Set(layout.graphs.map((graph) => graph.file));
  const prefix = `${basename(file)}.`;
  for (const name of readdirSync(dirname(file))) {
    if (name.startsWith(prefix) && name.endsWith('.usearch') && !kept.has(name)) rmSync(join(dirname(file), name));
  }
}

/**
 * The partitions saved in `file`, if they still cover exactly the live entries (else none, and the
 * caller rebuilds). `contexts` maps every live id to its context. A damaged file is reported in `damaged`.
 */
export function loadVectors(
  file: string,
  dimensions: number,
  contexts: Map<number, string>,
): { partitions?: Map<string, VectorPartition>; damaged?: string } {
  if (!existsSync(file) || !existsSync(`${file}.json`)) return {};
  let saved: SavedIndex;
  try {
    saved = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as SavedIndex;
  } catch (error) {
    return { damaged: `its description ${file}.json is unreadable (${(error as Error).message})` };
  }
  if (saved.format !== format) return {};
  const expected = signatureOf(contexts.keys());
  if (saved.dimensions !== dimensions || saved.count !== expected.count || saved.idSum !== expected.idSum) return {};
  const damaged = checkFile(file, saved.bytes, saved.sha256);
  if (damaged) return { damaged };
  const bytes = readFileSync(file);
  let layout: Layout;
  let offset: number;
  try {
    if (!bytes.subarray(0, magic.length).equals(magic)) throw new Error('it does not start as a saved index');
    const headLength = bytes.readUInt32LE(magic.length);
    offset = magic.length + 4 + headLength;
    layout = JSON.parse(bytes.subarray(magic.length + 4, offset).toString('utf8')) as Layout;
  } catch (error) {
    return { damaged: `its layout is unreadable (${(error as Error).message})` };
  }
  const partitions = new Map<string, VectorPartition>();
  for (const { context, count } of layout.flat) {
    const end = offset + count * 8 + count * dimensions * 4;
    if (end > bytes.length) return { damaged: 'its vectors are cut' };
    // Copied out of the file's buffer: typed arrays need aligned offsets.
    const ids = new Float64Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * 8));
    const vectors = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset + count * 8, bytes.byteOffset + end));
    offset = end;
    const flat = new FlatVectors(dimensions, count);
    for (let row = 0; row < count; row++) {
      if (contexts.get(ids[row]!) !== context)
        return { damaged: `entry ${ids[row]} is not in the store under its context` };
      flat.add(ids[row]!, vectors.subarray(row * dimensions, (row + 1) * dimensions));
    }
    partitions.set(context, flat);
  }
  const perContext = idsByContext(contexts);
  const covered =
    layout.flat.reduce((sum, { count }) => sum + count, 0) + layout.graphs.reduce((sum, { count }) => sum + count, 0);
  if (covered !== expected.count)
    return { damaged: `it covers ${covered} entries where the store has ${expected.count}` };
  for (const graph of layout.graphs) {
    const graphFile = join(dirname(file), graph.file);
    const live = signatureOf(perContext.get(graph.context) ?? []);
    if (live.count !== graph.count || live.idSum !== graph.idSum) {
      return { damaged: `its graph ${graphFile} does not cover the store's entries of its context` };
    }
    const graphDamaged = checkFile(graphFile, graph.bytes, graph.sha256);
    if (graphDamaged) return { damaged: `its graph ${graphFile} is damaged (${graphDamaged})` };
    try {
      const loaded = GraphVectors.load(graphFile, dimensions);
      if (loaded.size !== graph.count)
        throw new Error(`it holds ${loaded.size} entries where ${graph.count} were saved`);
      partitions.set(graph.context, loaded);
    } catch (error) {
      return { damaged: `its graph ${graphFile} could not be read (${(error as Error).message})` };
    }
  }
  return { partitions };
}
