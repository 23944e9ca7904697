/**
 * The API keys this process has read, and the masking of every form of them in what it writes: the
 * exact key, the key in another case, its base64 (standard and URL-safe), and any part of 8 or more
 * characters from its start. Results, traces, recordings, the cache store and the CLI's output all pass
 * through `redactSecrets`, so a server that echoes a key in an answer or an error cannot get it written.
 */
const secrets = new Set<string>();
/** Lower-cased prefixes to look for, with the lower-cased form each one may grow into. */
let patterns: { start: string; full: string }[] = [];

/** The shortest part of a key's start that is masked: shorter ones are too common to mean the key. */
const minimumPrefix = 8;

export function registerSecret(secret: string): void {
  if (secret.length < minimumPrefix || secrets.has(secret)) return;
  secrets.add(secret);
  const forms = [
    secret,
    Buffer.from(secret, 'utf8').toString('base64'),
    Buffer.from(secret, 'utf8').toString('base64url'),
  ];
  for (const form of forms) {
    const full = form.toLowerCase();
    if (!patterns.some((pattern) => pattern.full === full))
      patterns.push({ start: full.slice(0, minimumPrefix), full });
  }
}

/** Forget every key (tests). */
export function clearSecrets(): void {
  secrets.clear();
  patterns = [];
}

/** `text` with every form of every known key replaced by `[redacted]`. Linear in the text per key. */
export function redactSecrets(text: string): string {
  if (patterns.length === 0) return text;
  const lower = text.toLowerCase();
  // Lower-casing can change lengths outside ASCII; then offsets would not line up, so fall back to exact forms.
  if (lower.length !== text.length) return redactExact(text);
  const spans: [number, number][] = [];
  for (const { start, full } of patterns) {
    for (let at = lower.indexOf(start); at !== -1; at = lower.indexOf(start, at + 1)) {
      let end = at + start.length;
      while (end - at < full.length && lower[end] === full[end - at]) end++;
      spans.push([at, end]);
    }
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  for (const [from, to] of spans) {
    if (to <= cursor) continue;
    out += `${text.slice(cursor, Math.max(cursor, from))}[redacted]`;
    cursor = to;
  }
  return out + text.slice(cursor);
}

function redactExact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}
