/**
 * JSON with object keys sorted (and undefined members left out), so equal values give equal text
 * whatever their key order: for comparing parsed answers and for hashing cache keys.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) out += ',';
      // A hole is left empty, as `map` and `join` leave it.
      if (index in value) out += canonicalJson(value[index]);
    }
    return `${out}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Sorted by UTF-16 code units, as `<` compares strings.
    const keys = sortedInPlace(Object.keys(record));
    let out = '{';
    for (const key of keys) {
      const item = record[key];
      if (item === undefined) continue;
      if (out.length > 1) out += ',';
      out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const isOwnEnumerable = Object.prototype.propertyIsEnumerable;

/**
 * `canonicalJson({ messages })` for messages that are each exactly `{ role, content }` with text content,
 * as most items' are, written directly; undefined for any others (the caller takes `canonicalJson`).
 * Every item of a run is hashed: the general walk took twice as long, and far longer before V8 had
 * optimised its recursion (the first 20,000 items of a run: 91 ms against 14).
 */
export function canonicalPlainMessagesJson(messages: readonly object[]): string | undefined {
  let out = '{"messages":[';
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as { role?: unknown; content?: unknown };
    // A plain object's enumerable keys are its own (for-in counts without making an array of them).
    if (Object.getPrototypeOf(message) !== Object.prototype) return undefined;
    let keys = 0;
    for (const _ in message) keys++;
    if (
      keys !== 2 ||
      typeof message.role !== 'string' ||
      typeof message.content !== 'string' ||
      !isOwnEnumerable.call(message, 'role') ||
      !isOwnEnumerable.call(message, 'content')
    )
      return undefined;
    if (index > 0) out += ',';
    out += `{"content":${JSON.stringify(message.content)},"role":${JSON.stringify(message.role)}}`;
  }
  return `${out}]}`;
}

/**
 * `keys` sorted as `sort()` sorts them. An object's few keys (a message's `role` and `content`) are put in
 * order by insertion, which allocates nothing; `sort` allocated about half a kilobyte for each object.
 */
function sortedInPlace(keys: string[]): string[] {
  if (keys.length > 8) return keys.sort();
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let at = index;
    for (; at > 0 && keys[at - 1]! > key; at--) keys[at] = keys[at - 1]!;
    keys[at] = key;
  }
  return keys;
}

/** Hex SHA-256 of a text. node:crypto is taken at the first hash, not at import: loading it takes about 10 ms. */
export function sha256(text: string): string {
  return process.getBuiltinModule('node:crypto').hash('sha256', text, 'hex');
}
