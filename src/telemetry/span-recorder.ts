import { createRequire } from 'node:module';
import type { Span, Tracer } from '@opentelemetry/api';
import type { EventListener } from '../spec/events.js';

const require = createRequire(import.meta.url);
type Api = typeof import('@opentelemetry/api');
/** The OpenTelemetry API, loaded only when something may be registered with it (see telemetryActive). */
const api = () => require('@opentelemetry/api') as Api;

// The API keeps what is registered with it (a tracer provider, a context manager...) on the global
// object under this key (of its major version); the key is there only once something registered.
const registrations = Symbol.for('opentelemetry.js.api.1');

/**
 * Whether an OpenTelemetry SDK is registered: without one every span is a no-op, and the engine skips
 * building the events for the recorder at all (about a fifth of its own time per item). When nothing
 * was ever registered, the answer needs no API loaded (about 40 ms of start-up).
 */
export function telemetryActive(): boolean {
  if ((globalThis as Record<symbol, unknown>)[registrations] === undefined) return false;
  const { trace, ProxyTracerProvider } = api();
  const provider = trace.getTracerProvider();
  if (!(provider instanceof ProxyTracerProvider)) return true;
  return provider.getDelegate().constructor.name !== 'NoopTracerProvider';
}

/** Epoch milliseconds of an event's `performance.now()` stamp, as OpenTelemetry takes times. */
const epoch = (at: number) => performance.timeOrigin + at;

/**
 * One item's events as OpenTelemetry spans (a no-op unless an SDK is registered): a span for the item,
 * a child for each tier attempt and a grandchild for each gate, with the GenAI semantic conventions
 * (`gen_ai.request.model`, `gen_ai.usage.input_tokens`, ...) and the cascade's own attributes (tier,
 * gate verdict, cost, cache kind). Made per run, so items in flight together never share a span.
 */
export function spanRecorder(tracer?: Tracer): EventListener {
  const { trace, context, SpanStatusCode } = api();
  const spans = tracer ?? trace.getTracer('frugal-cascade');
  let item: Span | undefined;
  let tier: Span | undefined;
  // Without an SDK the item span does not record: the recorder then does nothing more for this run.
  let off = false;
  return (event) => {
    if (off) return;
    switch (event.type) {
      case 'item-start':
        item = spans.startSpan(`cascade ${event.cascade}`, {
          startTime: epoch(event.at),
          attributes: {
            'gen_ai.operation.name': 'chat',
            'cascade.name': event.cascade,
            ...(event.item !== undefined && { 'cascade.item': event.item }),
          },
        });
        off = !item.isRecording();
        return;
      case 'cache-hit':
        item?.setAttributes({
          'cascade.cache': event.cache.kind,
          ...(event.cache.similarity !== undefined && { 'cascade.cache.similarity': event.cache.similarity }),
        });
        return;
      case 'tier-start':
        tier = spans.startSpan(
          `chat ${event.model}`,
          {
            startTime: epoch(event.at),
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.request.model': event.model,
              'cascade.tier': event.tier,
            },
          },
          item ? trace.setSpan(context.active(), item) : undefined,
        );
        return;
      case 'gate-end': {
        const parent = tier ?? item;
        const gate = spans.startSpan(
          `gate ${event.gate.name}`,
          {
            startTime: epoch(event.at - event.ms),
            attributes: {
              'cascade.gate': event.gate.name,
              'cascade.gate.pass': event.gate.pass,
              'cascade.gate.reason': event.gate.reason,
              'cascade.cost_usd': event.gate.costUsd,
              ...(event.gate.score !== undefined && { 'cascade.gate.score': event.gate.score }),
              ...(event.gate.threshold !== undefined && { 'cascade.gate.threshold': event.gate.threshold }),
            },
          },
          parent ? trace.setSpan(context.active(), parent) : undefined,
        );
        gate.end(epoch(event.at));
        return;
      }
      case 'tier-end': {
        const { entry } = event;
        tier?.setAttributes({
          'gen_ai.provider.name': entry.provider,
          'gen_ai.response.model': entry.model,
          'gen_ai.usage.input_tokens': entry.usage.inputTokens,
          'gen_ai.usage.output_tokens': entry.usage.outputTokens,
          'cascade.cost_usd': entry.costUsd,
          'cascade.accepted': entry.accepted,
          'cascade.retries': entry.retries,
          ...(entry.skipped && { 'cascade.skipped': entry.skipped }),
        });
        if (entry.error) {
          tier?.setStatus({ code: SpanStatusCode.ERROR, message: entry.error.message });
          tier?.setAttribute('error.type', entry.error.kind);
        }
        tier?.end(epoch(event.at));
        tier = undefined;
        return;
      }
      case 'budget-stop':
        item?.addEvent(
          'budget-stop',
          { 'cascade.tier': event.tier, 'cascade.message': event.message },
          epoch(event.at),
        );
        return;
      case 'item-end': {
        const { result } = event;
        item?.setAttributes({
          'cascade.stop': result.stop,
          'cascade.cost_usd': result.costUsd,
          ...(result.tier !== undefined && { 'cascade.tier': result.tier }),
          ...(result.model !== undefined && { 'gen_ai.response.model': result.model }),
        });
        if (result.stop === 'error')
          item?.setStatus({ code: SpanStatusCode.ERROR, message: result.message ?? 'no tier answered' });
        item?.end(epoch(event.at));
        item = undefined;
      }
    }
  };
}
