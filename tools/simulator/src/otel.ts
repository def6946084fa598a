// Spans made by the real OpenTelemetry JS SDK: one tracer provider per pod (its resource), explicit start and end
// times, ids from the simulation through a deterministic IdGenerator, head sampling by the SDK's own
// ParentBased(TraceIdRatioBased) sampler, and the OTLP JSON request written by @opentelemetry/otlp-transformer.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { HrTime, Span, SpanContext } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { IdGenerator, ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { CasePlan } from './model.js';
import type { Pod, SpanKindName, SpanRec } from './simulate.js';

/** Hands the SDK the ids the simulation chose, so logs and spans agree and every run is the same. */
class ChosenIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** Keeps ended spans in memory, in the order they ended. */
class Collect implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const KINDS: Record<SpanKindName, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};

const SCOPES: Record<string, [string, string]> = {
  java: ['io.opentelemetry.spring-webmvc-6.0', '2.10.0-alpha'],
  go: ['go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc', '0.58.0'],
  node: ['@opentelemetry/instrumentation-http', '0.57.1'],
  python: ['opentelemetry.instrumentation.grpc', '0.50b0'],
  dotnet: ['OpenTelemetry.Instrumentation.AspNetCore', '1.10.1'],
  cpp: ['opentelemetry-cpp', '1.18.0'],
  nginx: ['otel_ngx_module', '1.0.0'],
};

/** The SDK each kind of service would run (the JS SDK writes the file, the resource says who made the spans). */
const SDK_LANGUAGE: Record<string, string> = { java: 'java', go: 'go', node: 'nodejs', python: 'python', dotnet: 'dotnet', cpp: 'cpp', nginx: 'cpp' };

function hr(us: number): HrTime {
  const whole = Math.round(us);
  return [Math.floor(whole / 1e6), (whole % 1e6) * 1000];
}

/** The OTLP JSON (ExportTraceServiceRequest) of the simulated spans, as the SDK's exporter would send it. */
export function otlpTraces(plan: CasePlan, spans: readonly SpanRec[]): Uint8Array {
  const ids = new ChosenIds();
  const collect = new Collect();
  const sampler = plan.noise.sampling >= 1 ? new AlwaysOnSampler() : new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(plan.noise.sampling) });
  const tracers = new Map<Pod, ReturnType<BasicTracerProvider['getTracer']>>();
  const tracerOf = (pod: Pod): ReturnType<BasicTracerProvider['getTracer']> => {
    let tracer = tracers.get(pod);
    if (!tracer) {
      const resource = defaultResource().merge(
        resourceFromAttributes({
          'service.name': pod.service.name,
          'service.namespace': plan.topology.namespace,
          'service.version': pod.version,
          'k8s.namespace.name': plan.topology.namespace,
          'k8s.pod.name': pod.name,
          'k8s.node.name': pod.node,
          'k8s.deployment.name': pod.service.name,
          'telemetry.sdk.language': SDK_LANGUAGE[pod.service.lang] ?? 'cpp',
        }),
      );
      const provider = new BasicTracerProvider({ resource, idGenerator: ids, sampler, spanProcessors: [collect] });
      const [name, version] = SCOPES[pod.service.lang] ?? ['manual', '1.0.0'];
      tracer = provider.getTracer(name, version);
      tracers.set(pod, tracer);
    }
    return tracer;
  };
  const made = new Map<SpanRec, Span>();
  for (const rec of spans) {
    if (rec.pod.service.kind !== 'app' || rec.hidden) continue;
    const parentSpan = rec.parent ? made.get(rec.parent) : undefined;
    let ctx = ROOT_CONTEXT;
    if (parentSpan) {
      const sc: SpanContext = { ...parentSpan.spanContext(), isRemote: rec.parent!.pod !== rec.pod };
      ctx = trace.setSpanContext(ROOT_CONTEXT, sc);
    }
    ids.traceId = rec.traceId;
    ids.spanId = rec.spanId;
    const skew = rec.pod.skewUs;
    const span = tracerOf(rec.pod).startSpan(rec.name, { kind: KINDS[rec.kind], startTime: hr(rec.startUs + skew), attributes: rec.attributes }, ctx);
    if (rec.exception) {
      span.addEvent('exception', { 'exception.type': rec.exception.type, 'exception.message': rec.exception.message }, hr(rec.exception.timeUs + skew));
    }
    if (rec.error !== null) span.setStatus({ code: SpanStatusCode.ERROR, message: rec.error.length > 200 ? rec.error.slice(0, 200) : rec.error });
    made.set(rec, span);
  }
  // End children before parents is not required by the SDK; end in record order with each span's own end time.
  for (const rec of spans) made.get(rec)?.end(hr(rec.endUs + rec.pod.skewUs));
  return JsonTraceSerializer.serializeRequest(collect.spans)!;
}
