#!/usr/bin/env node
import { registerOtlpFromEnvironment } from '../telemetry/register-otlp.js';
import { runCli } from './program.js';

// Spans go to a collector only when OTEL_EXPORTER_OTLP_ENDPOINT says where.
const stopTelemetry = await registerOtlpFromEnvironment(process.env);
process.exitCode = await runCli(process.argv.slice(2));
try {
  await stopTelemetry?.();
} catch (error) {
  // A collector that is down costs the spans, never the run's exit code.
  process.stderr.write(`cascade: could not export spans (${(error as Error).message}); the run itself is unaffected\n`);
}
