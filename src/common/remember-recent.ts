/**
 * `compute` of one text, keeping the results for the last `size` texts: a semantic lookup tokenizes the
 * same two questions several times (the embedder, then guard after guard), and each tokenizing
 * allocates its words again. The results are shared between callers, so they are read-only.
 */
export function rememberRecent<T>(compute: (text: string) => T, size = 8): (text: string) => T {
  const kept = new Map<string, T>();
  return (text) => {
    const known = kept.get(text);
    if (known !== undefined) return known;
    const value = compute(text);
    if (kept.size >= size) kept.delete(kept.keys().next().value!);
    kept.set(text, value);
    return value;
  };
}
