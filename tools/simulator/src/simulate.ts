// Runs one case: requests arrive at the entry services, flow through the call graph (sync calls with retries,
// async messages, database and cache calls), and leave spans, log lines and per-pod metric samples. The fault
// and the noise act only through what they would change in a real system.
import {
  accessLine,
  callErrorMessage,
  dependencyErrorMessage,
  exceptionMessage,
  expiredCertificateMessage,
  fill,
  formatLine,
  poolTimeoutException,
  rejectedHandshakeLine,
  resolverMessage,
  shutdownMessage,
} from './formats.js';
import type { Level } from './formats.js';
import type { CasePlan, Fault } from './model.js';
import type { Rng } from './rng.js';
import type { CallSpec, OpSpec, ServiceSpec } from './topology.js';

export type SpanKindName = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

export interface SpanRec {
  readonly traceId: string;
  readonly spanId: string;
  readonly parent: SpanRec | null;
  readonly pod: Pod;
  readonly name: string;
  readonly kind: SpanKindName;
  readonly startUs: number;
  endUs: number;
  error: string | null;
  readonly attributes: Record<string, string | number | boolean>;
  exception?: { type: string; message: string; timeUs: number };
  /** Made by an uninstrumented service: simulated for its effects, never exported. */
  readonly hidden?: boolean;
}

export interface LogRec {
  readonly pod: Pod;
  /** As the pod's clock reads it. */
  readonly timeUs: number;
  readonly line: string;
  /** The ids the logger's MDC holds (also in the line), for Loki's structured metadata. */
  readonly traceId?: string;
  readonly spanId?: string;
}

/** Per pod and metric step: what the metrics are computed from. */
export interface StepStats {
  requests: number;
  errors: number;
  serverMs: number[];
  clientMs: number[];
  busyUs: number;
  bytesIn: number;
  bytesOut: number;
}

export interface Pod {
  readonly name: string;
  readonly index: number;
  readonly node: string;
  readonly service: ServiceSpec;
  readonly version: string;
  /** The pod exists in [startUs, endUs) (a rollout or a job creates and deletes pods). */
  readonly startUs: number;
  readonly endUs: number;
  /** When its node stopped answering (Infinity: never): calls to it time out, then it leaves the endpoints. */
  lostUs: number;
  readonly skewUs: number;
  /** Intervals [start, end) when the container is not running. */
  readonly down: [number, number][];
  /** Times the container restarted (kube_pod_container_status_restarts_total steps). */
  readonly restarts: number[];
  readonly stats: StepStats[];
}

export interface Simulation {
  readonly spans: SpanRec[];
  readonly logs: LogRec[];
  readonly pods: Pod[];
  readonly stepUs: number;
}

export const STEP_US = 15_000_000;
const MS = 1000;

function isDown(pod: Pod, t: number): boolean {
  if (t < pod.startUs || t >= pod.endUs || t >= pod.lostUs) return true;
  for (const [s, e] of pod.down) if (t >= s && t < e) return true;
  return false;
}

/** Seconds after its node stops answering that a pod leaves the service's endpoints (node NotReady). */
const ENDPOINT_REMOVAL_US = 45e6;

/** Whether the service's endpoints list the pod at `t`: created, not deleted, its node not long gone. */
function routable(pod: Pod, t: number): boolean {
  return t >= pod.startUs && t < pod.endUs && t < pod.lostUs + ENDPOINT_REMOVAL_US;
}

/** Traffic relative to the day's mean at `t`: busiest about 16:00 UTC, quietest about 04:00. */
export function diurnal(t: number, peak: number): number {
  const hour = (t / 3600e6) % 24;
  return 1 + peak * Math.sin((2 * Math.PI * (hour - 10)) / 24);
}

function active(f: Fault, t: number): boolean {
  return t >= f.startUs && t < f.endUs;
}

/** Down intervals and restarts of the fault's pod (crash loop, OOM kills) and of the noise restart. */
function lifecycle(plan: CasePlan, pod: Pod, r: Rng): void {
  const f = plan.fault;
  if (pod.name === plan.noise.restart?.pod) {
    const at = plan.noise.restart.atUs;
    pod.down.push([at, at + r.uniform(4, 9) * 1e6]);
    pod.restarts.push(at);
  }
  if (f.type === 'node_failure' && pod.node === f.node) pod.lostUs = f.startUs;
  if (pod.name !== f.pod) return;
  if (f.type === 'dependency_down') {
    pod.down.push([f.startUs, f.endUs]);
  } else if (f.type === 'crash_loop') {
    let t = f.startUs;
    let backoff = 10e6;
    while (t < f.endUs) {
      const up = r.uniform(15, 40) * 1e6;
      const crash = t + up;
      const back = crash + backoff + r.uniform(1, 3) * 1e6;
      pod.down.push([crash, back]);
      pod.restarts.push(crash);
      backoff = Math.min(backoff * 2, 300e6);
      t = back;
    }
  } else if (f.type === 'memory_leak') {
    let t = f.startUs;
    while (t < f.endUs) {
      const oom = t + leakSeconds(f) * 1e6;
      if (oom >= f.endUs) break;
      const back = oom + r.uniform(4, 10) * 1e6;
      pod.down.push([oom, back]);
      pod.restarts.push(oom);
      t = back;
    }
  }
}

/** Seconds from a (re)start to the OOM kill: the leak rate is the fault's magnitude. */
function leakSeconds(f: Fault): number {
  return f.magnitude;
}

/** Share of the memory limit used by a leaking pod at `t` (1 at the OOM kill). */
export function leakFill(plan: CasePlan, pod: Pod, t: number): number {
  const f = plan.fault;
  if (f.type !== 'memory_leak' || pod.name !== f.pod || t < f.startUs) return 0;
  let since = f.startUs;
  for (const [, back] of pod.down) if (back <= t && back > since) since = back;
  return Math.min(1, (t - since) / (leakSeconds(f) * 1e6));
}

class Engine {
  readonly spans: SpanRec[] = [];
  readonly logs: LogRec[] = [];
  readonly pods: Pod[];
  readonly byService = new Map<string, Pod[]>();
  readonly services = new Map<string, ServiceSpec>();

  constructor(
    readonly plan: CasePlan,
    readonly r: Rng,
  ) {
    const steps = Math.ceil((plan.dataEndUs - plan.dataStartUs) / STEP_US) + 1;
    for (const s of plan.topology.services) this.services.set(s.name, s);
    this.pods = plan.pods.map((p, index) => {
      const service = this.services.get(p.service)!;
      const pod: Pod = {
        name: p.name,
        index,
        node: p.node,
        service,
        version: p.version,
        startUs: p.startUs ?? -Infinity,
        endUs: p.endUs ?? Infinity,
        lostUs: Infinity,
        skewUs: plan.noise.skew?.pod === p.name ? plan.noise.skew.ms * MS : 0,
        down: [],
        restarts: [],
        stats: Array.from({ length: steps }, () => ({ requests: 0, errors: 0, serverMs: [], clientMs: [], busyUs: 0, bytesIn: 0, bytesOut: 0 })),
      };
      const list = this.byService.get(p.service) ?? [];
      list.push(pod);
      this.byService.set(p.service, list);
      return pod;
    });
    for (const pod of this.pods) lifecycle(plan, pod, r);
  }

  stat(pod: Pod, t: number): StepStats | undefined {
    return pod.stats[Math.floor((t - this.plan.dataStartUs) / STEP_US)];
  }

  log(pod: Pod, t: number, level: Level, message: string, span?: SpanRec): void {
    if (!pod.service.logs || isDown(pod, t)) return;
    const timeUs = Math.round(t + pod.skewUs);
    const ids = span && pod.service.traceIds ? { traceId: span.traceId, spanId: span.spanId } : {};
    this.logs.push({ pod, timeUs, ...ids, line: formatLine({ service: pod.service.name, pod: pod.name, lang: pod.service.lang, timeUs, ...ids }, level, message, this.r) });
  }

  span(traceId: string, parent: SpanRec | null, pod: Pod, name: string, kind: SpanKindName, startUs: number, attributes: SpanRec['attributes']): SpanRec {
    const hidden = pod.service.name === this.plan.noise.untraced;
    const rec: SpanRec = { traceId, spanId: this.r.hex(16), parent, pod, name, kind, startUs, endUs: startUs, error: null, attributes, ...(hidden ? { hidden } : {}) };
    this.spans.push(rec);
    return rec;
  }

  /** The pod a request to `service` at `t` lands on: one of its endpoints, or any pod when it has none. */
  pick(service: string, t: number): Pod {
    const pods = this.byService.get(service)!;
    const ready = pods.filter((p) => routable(p, t));
    const from = ready.length > 0 ? ready : pods;
    return from.length === 1 ? from[0]! : this.r.pick(from);
  }

  /** Requests per step at `pod` relative to its baseline mean (the load a retry storm multiplies). */
  load(pod: Pod, t: number): number {
    const { baseline, dataStartUs } = this.plan;
    const steps = pod.stats.slice(Math.ceil((baseline.startUs - dataStartUs) / STEP_US), Math.floor((baseline.endUs - dataStartUs) / STEP_US));
    const mean = steps.reduce((s, st) => s + st.requests, 0) / Math.max(1, steps.length);
    const previous = pod.stats[Math.floor((t - dataStartUs) / STEP_US) - 1];
    return mean > 0 && previous ? previous.requests / mean : 1;
  }

  /** How much slower a pod works at `t`: CPU saturation, GC pressure near the memory limit. */
  slowdown(pod: Pod, t: number): number {
    const f = this.plan.fault;
    if (pod.name !== f.pod || !active(f, t)) return 1;
    if (f.type === 'cpu') return f.magnitude * this.r.uniform(0.8, 1.25);
    if (f.type === 'memory_leak') {
      const fill = leakFill(this.plan, pod, t);
      return fill > 0.75 ? 1 + ((fill - 0.75) / 0.25) * 2.5 : 1;
    }
    if (f.type === 'queue_lag') return 2 + f.magnitude * 5;
    return 1;
  }

  /** Serves one request at a pod of `service`. Returns null when no pod could take it (connection refused). */
  serve(
    service: ServiceSpec,
    opName: string,
    t: number,
    traceId: string,
    parent: SpanRec | null,
    kind: 'server' | 'consumer',
    chosen?: Pod,
  ): { end: number; error: string | null; pod: Pod } | null {
    const pod = chosen ?? this.pick(service.name, t);
    if (isDown(pod, t)) return null;
    const op = service.ops.find((o) => o.name === opName)!;
    const f = this.plan.fault;
    const faulty = pod.name === f.pod && active(f, t);
    const attributes = serverAttributes(service, op);
    // An uninstrumented service takes no context and sends none: what it calls starts new traces.
    const untraced = this.plan.noise.untraced === service.name;
    const span = untraced ? this.span(this.r.hex(32), null, pod, op.name, kind, t, attributes) : this.span(traceId, parent, pod, op.name, kind, t, attributes);
    const r = this.r;
    let self = r.lognormal(op.selfMs * MS, 0.35) * this.slowdown(pod, t);
    const slow = this.plan.noise.slowOp;
    if (slow && slow.service === service.name && slow.op === op.name) self += r.lognormal(slow.ms * MS, 0.25);
    if (faulty && f.type === 'latency' && f.op === op.name) self += r.lognormal(f.magnitude * MS, 0.3);
    // Retries pile onto the slow pod: the more requests it queues, the slower each one gets.
    if (faulty && f.type === 'retry_storm') self += r.lognormal(f.magnitude * MS, 0.5) * Math.max(1, this.load(pod, t)) ** 2;
    let cur = t + self * 0.3;
    const wrong = faulty && f.type === 'wrong_result' && f.op === op.name;
    const lines = op.logs.length > 0 && wrong ? op.logs.slice(0, -1) : op.logs;
    const head = lines.length > 1 ? lines.slice(0, -1) : [];
    for (const m of head) this.log(pod, cur, 'info', fill(m, r), span);

    let error: string | null = null;
    const blip = this.plan.noise.blip;
    // An exhausted pool: every query waits for a connection, some until the pool's timeout.
    let poolTimeout = false;
    if (faulty && f.type === 'pool_exhaustion' && op.calls.some((c) => c.mode === 'db' || c.mode === 'cache')) {
      poolTimeout = r.chance(f.magnitude);
      cur += (poolTimeout ? 1 : r.uniform(0.05, 0.8)) * f.timeoutMs! * MS;
    }
    const throws =
      poolTimeout ||
      (faulty && (f.type === 'errors' || f.type === 'bad_deploy') && f.op === op.name && r.chance(f.magnitude)) ||
      (blip !== undefined && blip.pod === pod.name && t >= blip.startUs && t < blip.endUs && r.chance(blip.share)) ||
      r.chance(0.0015);
    if (throws) {
      const ex = poolTimeout ? poolTimeoutException(service.lang, f.timeoutMs!) : exceptionMessage(service.lang, op.name, r);
      span.exception = { ...ex, timeUs: cur };
      error = `${ex.type}: ${ex.message}`;
      this.log(pod, cur, 'error', `${op.name} failed: ${ex.type}: ${ex.message}`, span);
    } else {
      cur = this.calls(pod, op, cur, span, wrong ? f.skipCall : undefined, (e) => (error = e));
    }
    const end = cur + self * 0.7;
    if (error === null && lines.length > 0) this.log(pod, end, 'info', fill(lines[lines.length - 1]!, r), span);
    if (service.lang === 'nginx') {
      const [method, path] = op.name.split(' ');
      if (pod.service.logs) this.logs.push({ pod, timeUs: Math.round(end + pod.skewUs), line: accessLine(end + pod.skewUs, method ?? 'GET', path ?? '/', error ? 500 : 200, (end - t) / 1e6, r) });
    }
    span.endUs = end;
    span.error = error;
    if (error) attributes[attributes['rpc.system'] ? 'rpc.grpc.status_code' : 'http.response.status_code'] = attributes['rpc.system'] ? 2 : 500;
    const st = this.stat(pod, t);
    if (st) {
      st.requests++;
      if (error) st.errors++;
      st.serverMs.push((end - t) / MS);
      st.busyUs += self;
      st.bytesIn += r.int(300, 2500);
      st.bytesOut += r.int(500, 12000);
    }
    return { end, error, pod };
  }

  /** Runs an operation's downstream calls from `t`; returns when the last one is done. */
  calls(pod: Pod, op: OpSpec, t: number, span: SpanRec, skip: number | undefined, fail: (e: string) => void): number {
    let cur = t;
    let groupStart = t;
    for (let i = 0; i < op.calls.length; i++) {
      const c = op.calls[i]!;
      if (i === skip || !this.r.chance(c.p)) continue;
      const start = c.parallel ? groupStart : cur;
      if (!c.parallel) groupStart = cur;
      const { end, error } = this.call(pod, c, start, span);
      cur = Math.max(cur, end);
      if (error !== null && !c.fallback) {
        fail(error);
        return cur;
      }
    }
    return cur;
  }

  call(pod: Pod, c: CallSpec, t: number, parent: SpanRec): { end: number; error: string | null } {
    const r = this.r;
    const callee = this.services.get(c.to)!;
    if (c.mode === 'db' || c.mode === 'cache') return this.dependency(pod, callee, c, t, parent);
    const f = this.plan.fault;
    if (c.mode === 'async') {
      const system = this.plan.topology.name === 'shop' ? 'kafka' : 'rabbitmq';
      const topic = c.op.split(' ')[0]!;
      const producer = this.span(parent.traceId, parent, pod, `${topic} publish`, 'producer', t, {
        'messaging.system': system,
        'messaging.destination.name': topic,
        'messaging.operation.type': 'publish',
      });
      producer.endUs = t + r.uniform(0.2, 1.2) * MS;
      const consumer = this.pick(callee.name, producer.endUs);
      let lag = r.lognormal(15 * MS, 0.6);
      // A consumer that falls behind: the backlog, and with it each message's wait, grows from the start.
      if (f.type === 'queue_lag' && consumer.name === f.pod && active(f, t)) lag += (t - f.startUs) * f.magnitude;
      if (producer.endUs + lag < this.plan.dataEndUs) this.serve(callee, c.op, producer.endUs + lag, parent.traceId, producer, 'consumer', consumer);
      return { end: producer.endUs, error: null };
    }
    const grpc = clientAttributes(callee, c.op)['rpc.system'] !== undefined;
    const status = grpc ? 'rpc.grpc.status_code' : 'http.response.status_code';
    let start = t;
    let pinned: Pod | undefined;
    for (let attempt = 0; ; attempt++) {
      const client = this.span(parent.traceId, parent, pod, clientName(callee, c.op), 'client', start, clientAttributes(callee, c.op));
      const out = r.uniform(0.15, 0.6) * MS;
      // A client with a timeout keeps its connection (HTTP keep-alive, a gRPC subchannel): retries go to the same pod.
      const target = pinned ?? this.pick(callee.name, start);
      if (c.timeoutMs !== undefined) pinned = target;
      let end: number;
      let error: string | null;
      if (f.type === 'dns_error' && pod.service.name === f.service && callee.name === f.target && active(f, start)) {
        // The configured address does not resolve: the resolver answers NXDOMAIN at once, nothing is sent.
        end = start + r.uniform(1, 8) * MS;
        error = resolverMessage(pod.service.lang, `${callee.name}.staging.svc.cluster.local`, r);
        if (grpc) client.attributes[status] = 14;
        else delete client.attributes[status];
      } else if (f.type === 'cert_expiry' && callee.name === f.service && active(f, start) && r.chance(Math.min(1, (start - f.startUs) / (f.magnitude * 1e6)))) {
        // A new connection's handshake fails on the expired certificate; pooled ones go first as they recycle.
        end = start + r.uniform(2, 12) * MS;
        error = expiredCertificateMessage(pod.service.lang, callee.name, f.startUs);
        if (grpc) client.attributes[status] = 14;
        else delete client.attributes[status];
        if (!isDown(target, start)) this.log(target, start + out, 'warn', rejectedHandshakeLine(callee.lang, r));
      } else {
        const res = this.serve(callee, c.op, start + out, parent.traceId, client, 'server', target);
        if (res === null && start >= target.lostUs) {
          // The pod's node is gone: the connection attempt hangs until the client gives up.
          end = start + (c.timeoutMs ?? r.uniform(1000, 3000)) * MS;
          error = callErrorMessage(pod.service.lang, callee.name, 'timeout', r);
          client.attributes['error.type'] = 'timeout';
          if (grpc) client.attributes[status] = 4;
          else delete client.attributes[status];
        } else if (res === null) {
          end = start + r.uniform(0.5, 3) * MS;
          error = callErrorMessage(pod.service.lang, callee.name, 'refused', r);
          client.attributes['error.type'] = 'connection_refused';
        } else {
          end = res.end + r.uniform(0.15, 0.6) * MS + this.edgeDelay(pod, res.pod, start);
          error = res.error === null ? null : callErrorMessage(pod.service.lang, callee.name, 'status', r);
          if (res.error !== null) client.attributes[status] = grpc ? 2 : 500;
          if (c.timeoutMs !== undefined && end - start > c.timeoutMs * MS) {
            // The client gives up; the server goes on with the request it no longer waits for.
            end = start + c.timeoutMs * MS;
            error = callErrorMessage(pod.service.lang, callee.name, 'timeout', r);
            client.attributes['error.type'] = 'timeout';
            if (grpc) client.attributes[status] = 4;
            else delete client.attributes[status];
          }
        }
      }
      client.endUs = end;
      client.error = error;
      const st = this.stat(pod, start);
      st?.clientMs.push((end - start) / MS);
      if (error === null) return { end, error };
      if (attempt < c.retries) {
        this.log(pod, end, 'warn', `retrying call to ${callee.name} (attempt ${attempt + 2}/${c.retries + 1}) after error: ${error}`, parent);
        // Clients with a timeout retry at once (no back-off): what turns a slow pod into a storm.
        start = end + (c.timeoutMs !== undefined ? r.uniform(1, 20) : r.uniform(20, 120)) * MS;
        continue;
      }
      this.log(pod, end, c.fallback ? 'warn' : 'error', error, parent);
      return { end, error };
    }
  }

  /** The extra response time of one call: the network delay fault sits on the callee pod's side of one edge. */
  edgeDelay(caller: Pod, callee: Pod, t: number): number {
    const f = this.plan.fault;
    if (f.type !== 'network_delay' || callee.name !== f.pod || caller.service.name !== f.caller || !active(f, t)) return 0;
    return this.r.lognormal(f.magnitude * MS, 0.15);
  }

  dependency(pod: Pod, dep: ServiceSpec, c: CallSpec, t: number, parent: SpanRec): { end: number; error: string | null } {
    const r = this.r;
    const depPod = this.pick(dep.name, t);
    const span = this.span(parent.traceId, parent, pod, c.op, 'client', t, dependencyAttributes(dep, c.op));
    if (isDown(depPod, t)) {
      const lost = t >= depPod.lostUs;
      const end = t + (lost ? r.uniform(1000, 3000) : r.uniform(0.5, 4)) * MS;
      const error = dependencyErrorMessage(pod.service.lang, dep.lang, dep.name, r, lost ? 'timeout' : 'refused');
      span.endUs = end;
      span.error = error;
      span.attributes['error.type'] = lost ? 'timeout' : 'connection_refused';
      this.log(pod, end, c.fallback ? 'warn' : 'error', error, parent);
      return { end, error };
    }
    const base = dep.kind === 'cache' ? 0.35 : 1.6;
    const f = this.plan.fault;
    let work = r.lognormal(base * MS, 0.45) * this.slowdown(depPod, t);
    // One statement's plan went bad (a dropped index, a lock): only it is slow, and it burns the database's CPU.
    if (f.type === 'slow_query' && depPod.name === f.pod && c.op === f.target && active(f, t)) work += r.lognormal(f.magnitude * MS, 0.4);
    const end = t + work + r.uniform(0.2, 0.5) * MS;
    span.endUs = end;
    const st = this.stat(depPod, t);
    if (st) {
      st.requests++;
      st.serverMs.push(work / MS);
      st.busyUs += work;
      st.bytesIn += r.int(100, 800);
      st.bytesOut += r.int(200, 8000);
    }
    if (dep.lang === 'postgres' && work > 8 * MS) this.log(depPod, end, 'info', `duration: ${(work / MS).toFixed(3)} ms  statement: ${c.op.split(' ')[0]} * FROM ${c.op.split(' ')[1] ?? 't'} WHERE id = $1`);
    if (dep.lang === 'mongodb' && work > 8 * MS) this.log(depPod, end, 'info', `Slow query ns=${c.op.split(' ')[1] ?? 'db'} op=${c.op.split(' ')[0]} durationMillis=${Math.round(work / MS)}`);
    return { end, error: null };
  }

  /** Background lines: periodic jobs, database housekeeping, the chatty noise, startups and crashes. */
  background(): void {
    const { plan, r } = this;
    const f = plan.fault;
    for (const pod of this.pods) {
      const lang = pod.service.lang;
      const exhausted = (t: number): boolean => f.type === 'pool_exhaustion' && pod.name === f.pod && active(f, t);
      const job = plan.noise.batch?.pod === pod.name;
      // Created or deleted inside the data: a rollout's pods, a job's pod.
      if (Number.isFinite(pod.startUs)) {
        const lines = job ? [`Job started: exporting report rows from ${plan.noise.batch.db}`] : startupMessages(pod.service, pod.version);
        for (const [i, m] of lines.entries()) this.log(pod, pod.startUs + (i + 1) * r.uniform(200, 900) * MS, 'info', m);
      }
      if (Number.isFinite(pod.endUs)) this.log(pod, pod.endUs - r.uniform(50, 500) * MS, 'info', job ? `Job finished: exported ${r.int(20000, 900000)} rows` : shutdownMessage(lang));
      if (f.type === 'dns_error' && pod.service.name === f.service) {
        const key = `clients.${f.target}.url`;
        this.log(pod, f.startUs - r.uniform(50, 900) * MS, 'info', lang === 'java' ? `Refresh keys changed: [${key}]` : `configuration reloaded: ${key} changed`);
      }
      if (job) continue;
      const every = lang === 'postgres' ? 60e6 : lang === 'mongodb' ? 30e6 : lang === 'redis' ? 60e6 : 45e6;
      for (let t = plan.dataStartUs + r.uniform(0, every); t < plan.dataEndUs; t += every * r.uniform(0.8, 1.2)) {
        if (isDown(pod, t)) continue;
        const message =
          lang === 'postgres'
            ? r.pick(['checkpoint starting: time', `checkpoint complete: wrote ${r.int(10, 900)} buffers (${r.uniform(0, 5).toFixed(1)}%); 0 WAL file(s) added, 0 removed, 1 recycled`])
            : lang === 'mongodb'
              ? `WiredTiger message: Checkpoint has been running for ${r.int(1, 20)} seconds`
              : lang === 'redis'
                ? `${r.int(10, 900)} changes in 60 seconds. Saving...`
                : lang === 'java'
                  ? exhausted(t)
                    ? `HikariPool-1 - Pool stats (total=10, active=10, idle=0, waiting=${r.int(5, 60)})`
                    : `HikariPool-1 - Pool stats (total=10, active=${r.int(0, 4)}, idle=${r.int(6, 10)}, waiting=0)`
                  : `health check ok (uptime ${Math.round((t - plan.dataStartUs) / 1e6) + r.int(3600, 90000)}s)`;
        this.log(pod, t, 'info', message);
      }
      for (const at of pod.restarts) {
        if (pod.name === plan.fault.pod && plan.fault.type === 'crash_loop') this.log(pod, at - r.uniform(1, 50) * MS, 'fatal', crashMessage(lang, r));
        if (pod.name === plan.fault.pod && plan.fault.type === 'memory_leak' && lang === 'java') this.log(pod, at - r.uniform(50, 500) * MS, 'error', 'java.lang.OutOfMemoryError: Java heap space');
        const back = pod.down.find(([s]) => s === at)?.[1] ?? at;
        for (const [i, m] of startupMessages(pod.service, pod.version).entries()) this.log(pod, back + (i + 1) * r.uniform(200, 900) * MS, 'info', m);
      }
    }
    const chatty = plan.noise.chatty;
    if (chatty) {
      const pod = this.pods.find((p) => p.name === chatty.pod)!;
      for (let t = plan.dataStartUs + r.uniform(0, chatty.everyMs * MS); t < plan.dataEndUs; t += r.lognormal(chatty.everyMs * MS, 0.3)) {
        this.log(pod, t, 'error', chatty.message);
      }
    }
  }

  run(): void {
    const { plan, r } = this;
    const entries = plan.topology.entries.map((e) => [e, e.weight] as const);
    const rate = plan.topology.rate;
    const batch = plan.noise.batch;
    const batchPod = batch && this.pods.find((p) => p.name === batch.pod);
    let nextBatch = batch ? batch.startUs : Infinity;
    for (let t = plan.dataStartUs; ; ) {
      const inWindow = t >= plan.window.startUs;
      t += r.exponential(1e6 / (rate * diurnal(t, plan.noise.diurnalPeak) * (inWindow ? plan.noise.windowRate : 1)));
      if (t >= plan.dataEndUs) break;
      // The batch job's requests, in time order with the users' (a retry storm reads the steps behind it).
      for (; batch && batchPod && nextBatch < t && nextBatch < batch.endUs; nextBatch += r.exponential(1e6 / batch.perSecond)) {
        this.serve(batchPod.service, batchPod.service.ops[0]!.name, nextBatch, r.hex(32), null, 'server', batchPod);
      }
      const e = r.weighted(entries);
      this.serve(this.services.get(e.service)!, e.op, t, r.hex(32), null, 'server');
    }
    this.background();
  }
}

function crashMessage(lang: ServiceSpec['lang'], r: Rng): string {
  switch (lang) {
    case 'java':
      return 'Application run failed: org.springframework.beans.factory.BeanCreationException: Error creating bean with name \'dataSource\'';
    case 'go':
      return `panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV: segmentation violation code=0x1 addr=0x${r.hex(2)} pc=0x${r.hex(6)}]`;
    case 'node':
      return 'Uncaught exception, process exiting: TypeError: Cannot read properties of undefined (reading \'config\')';
    case 'python':
      return 'Traceback (most recent call last): AttributeError: \'NoneType\' object has no attribute \'get\'';
    case 'dotnet':
      return 'Unhandled exception. System.NullReferenceException: Object reference not set to an instance of an object.';
    default:
      return 'terminate called after throwing an instance of \'std::runtime_error\'';
  }
}

function startupMessages(s: ServiceSpec, version: string): string[] {
  switch (s.lang) {
    case 'java':
      return [`Starting Application v${version} using Java 17.0.9 with PID 1`, `Tomcat started on port 8080 (http) with context path ''`, 'Started Application in 6.912 seconds (process running for 7.4)'];
    case 'postgres':
      return ['database system is ready to accept connections'];
    case 'mongodb':
      return ['Waiting for connections'];
    case 'redis':
      return ['Ready to accept connections tcp'];
    case 'nginx':
    case 'memcached':
      return [];
    default:
      return [`${s.name} ${version} listening on port 8080`];
  }
}

function serverAttributes(s: ServiceSpec, op: OpSpec): Record<string, string | number | boolean> {
  if (op.consumer) return { 'messaging.system': 'kafka', 'messaging.operation.type': 'process', 'messaging.destination.name': op.name.split(' ')[0]! };
  const [method, path] = op.name.split(' ');
  if (path !== undefined && /^[A-Z]+$/.test(method!)) return { 'http.request.method': method!, 'url.path': path, 'http.route': path, 'http.response.status_code': 200 };
  if (op.name.includes('/')) {
    const [service, m] = op.name.split('/');
    return { 'rpc.system': 'grpc', 'rpc.service': service!, 'rpc.method': m!, 'rpc.grpc.status_code': 0 };
  }
  return { 'rpc.system': 'apache_thrift', 'rpc.method': op.name, 'server.address': s.name };
}

function clientName(callee: ServiceSpec, op: string): string {
  const [method, path] = op.split(' ');
  if (path !== undefined && /^[A-Z]+$/.test(method!)) return method!;
  return op;
}

function clientAttributes(callee: ServiceSpec, op: string): Record<string, string | number | boolean> {
  const [method, path] = op.split(' ');
  if (path !== undefined && /^[A-Z]+$/.test(method!)) {
    return { 'http.request.method': method!, 'server.address': callee.name, 'server.port': 8080, 'url.full': `http://${callee.name}:8080${path}`, 'http.response.status_code': 200 };
  }
  if (op.includes('/')) {
    const [service, m] = op.split('/');
    return { 'rpc.system': 'grpc', 'rpc.service': service!, 'rpc.method': m!, 'server.address': callee.name, 'server.port': 8080, 'rpc.grpc.status_code': 0 };
  }
  return { 'rpc.system': 'apache_thrift', 'rpc.method': op, 'server.address': callee.name, 'server.port': 9090 };
}

function dependencyAttributes(dep: ServiceSpec, op: string): Record<string, string | number | boolean> {
  const system = dep.lang === 'postgres' ? 'postgresql' : dep.lang;
  const [operation, collection] = op.split(' ');
  const port = dep.lang === 'redis' ? 6379 : dep.lang === 'memcached' ? 11211 : dep.lang === 'postgres' ? 5432 : 27017;
  return {
    'db.system.name': system,
    'db.operation.name': operation!,
    ...(collection ? { 'db.collection.name': collection } : {}),
    'server.address': dep.name,
    'server.port': port,
    'peer.service': dep.name,
  };
}

export function simulate(plan: CasePlan, r: Rng): Simulation {
  const engine = new Engine(plan, r);
  engine.run();
  return { spans: engine.spans, logs: engine.logs, pods: engine.pods, stepUs: STEP_US };
}
