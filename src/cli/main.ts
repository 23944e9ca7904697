#!/usr/bin/env node
import { registerOtlpFromEnvironment } from '../telemetry/register-otlp.js';
import { runCli } from './program.js';

// Spans go to a collector only when OTEL_EXPORTER_OTLP_ENDPOINT says where.
const stopTelemetry = await registerOtlpFromEnvironment(process.env);
process.exitCode = await runCli(process.argv.slice(2));
await stopTelemetry?.();
