import type { Environment } from '../spec/environment.js';

/**
 * When `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, register
 * OpenTelemetry's Node tracer with the OTLP/HTTP exporter, so the CLI's spans reach a collector (Jaeger,
 * Phoenix, Langfuse...). Returns a function that flushes and stops it, or undefined when not asked for.
 * The SDK is loaded only then.
 */
export async function registerOtlpFromEnvironment(env: Environment): Promise<(() => Promise<void>) | undefined> {
  if (!env['OTEL_EXPORTER_OTLP_ENDPOINT'] && !env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) return undefined;
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] ?? 'frugal-cascade' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return () => provider.shutdown();
}
