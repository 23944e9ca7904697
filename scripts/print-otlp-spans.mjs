#!/usr/bin/env node
// A loopback OTLP/HTTP receiver that prints the spans it is sent, as trees, to see what a collector
// (Jaeger, Phoenix, Langfuse) would get without installing one. JSON encoding only (what the CLI's
// OTLP/HTTP exporter sends). Usage: node scripts/print-otlp-spans.mjs [port] [--exit-after N]
import { createServer } from 'node:http';

const args = process.argv.slice(2);
const exitAfter = args.includes('--exit-after') ? Number(args[args.indexOf('--exit-after') + 1]) : Infinity;
const port = Number(args.find((arg) => /^\d+$/.test(arg) && args[args.indexOf(arg) - 1] !== '--exit-after') ?? 4318);
let received = 0;

const valueOf = (value) =>
  value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue ?? JSON.stringify(value);

function printTrace(spans) {
  const children = new Map();
  for (const span of spans) {
    const parent = span.parentSpanId || '';
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const ids = new Set(spans.map((span) => span.spanId));
  const print = (span, depth) => {
    const ms = (Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6).toFixed(2);
    const attributes = (span.attributes ?? []).map((entry) => `${entry.key}=${valueOf(entry.value)}`).join(' ');
    console.log(`${'  '.repeat(depth)}${span.name} (${ms} ms) ${attributes}`);
    for (const child of children.get(span.spanId) ?? []) print(child, depth + 1);
  };
  for (const span of spans) if (!span.parentSpanId || !ids.has(span.parentSpanId)) print(span, 0);
}

const server = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
    if (request.url !== '/v1/traces') return;
    let payload;
    try {
      payload = JSON.parse(body);
    } catch {
      console.error('print-otlp-spans: a body that is not OTLP JSON (set OTEL_EXPORTER_OTLP_PROTOCOL=http/json)');
      return;
    }
    const byTrace = new Map();
    for (const resource of payload.resourceSpans ?? [])
      for (const scope of resource.scopeSpans ?? [])
        for (const span of scope.spans ?? []) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
    for (const [traceId, spans] of byTrace) {
      console.log(`trace ${traceId}`);
      printTrace(spans);
    }
    if (++received >= exitAfter) server.close(() => process.exit(0));
  });
});
// Port 0 takes a free one; the line on stderr names it.
server.listen(port, '127.0.0.1', () =>
  console.error(`print-otlp-spans: listening on http://127.0.0.1:${server.address().port}`),
);
