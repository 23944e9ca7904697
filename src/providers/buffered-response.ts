import type { IncomingHttpHeaders } from 'node:http';

/**
 * The response headers of node:http as the part of WHATWG `Headers` the provider SDKs read (`get`,
 * `has`, iteration), without copying them into a `Headers` object on every call.
 */
export class NodeResponseHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }

  keys(): IterableIterator<string> {
    return Array.from(this.entries(), ([name]) => name)[Symbol.iterator]();
  }

  values(): IterableIterator<string> {
    return Array.from(this.entries(), ([, value]) => value)[Symbol.iterator]();
  }

  forEach(callback: (value: string, name: string, headers: this) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/**
 * A whole response body already read, as the part of WHATWG `Response` the provider SDKs use (`ok`,
 * `status`, `headers`, `text()`, `json()`, `body` to cancel). A real `Response` wraps even a buffered
 * body in a web stream and reads it back through it, a large share of a batch's CPU per call; the
 * stream is made here only if someone asks for `body`.
 */
export class BufferedResponse {
  readonly ok: boolean;
  readonly type = 'basic';
  readonly redirected = false;
  private used = false;
  private stream?: ReadableStream<Uint8Array> | null;

  constructor(
    private readonly payload: Buffer | null,
    readonly status: number,
    readonly statusText: string,
    readonly headers: NodeResponseHeaders,
    readonly url: string,
  ) {
    this.ok = status >= 200 && status < 300;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.stream === undefined) {
      const payload = this.payload;
      this.stream =
        payload === null
          ? null
          : new ReadableStream<Uint8Array>({
              start(controller) {
                controller.enqueue(new Uint8Array(payload));
                controller.close();
              },
            });
    }
    return this.stream;
  }

  private take(): Buffer {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    return this.payload ?? Buffer.alloc(0);
  }

  async text(): Promise<string> {
    return this.take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  clone(): BufferedResponse {
    return new BufferedResponse(this.payload, this.status, this.statusText, this.headers, this.url);
  }
}
