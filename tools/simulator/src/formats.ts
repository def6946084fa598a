// Log lines as each kind of service writes them (Spring Boot, slog logfmt, pino JSON, Python logging with the
// OpenTelemetry fields, .NET JSON console, DeathStarBench C++, nginx access logs, databases).
import type { Rng } from './rng.js';
import type { Lang } from './topology.js';

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogContext {
  readonly service: string;
  readonly pod: string;
  readonly lang: Lang;
  /** Epoch µs, as the pod's clock reads it. */
  readonly timeUs: number;
  readonly traceId?: string;
  readonly spanId?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let isoSecond = NaN;
let isoPrefix = '';

/** RFC 3339 in UTC with `digits` fraction digits; the seconds part is cached (lines come in bursts). */
function iso(us: number, digits = 3): string {
  const second = Math.floor(us / 1e6);
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const frac = String(Math.floor(us - second * 1e6)).padStart(6, '0').slice(0, digits);
  return `${isoPrefix}.${frac}Z`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Fills a message's placeholders with values drawn from `r`. */
export function fill(message: string, r: Rng): string {
  return message.replace(/%(id|user|n|ms|item|money|hex|ip)/g, (_, k: string) => {
    switch (k) {
      case 'id':
        return `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-${r.pick(['8', '9', 'a', 'b'])}${r.hex(3)}-${r.hex(12)}`;
      case 'user':
        return `user${r.int(1000, 99999)}`;
      case 'n':
        return String(r.int(1, 40));
      case 'ms':
        return String(r.int(5, 900));
      case 'item':
        return r.pick(['OLJCESPC7Z', '66VCHSJNUP', '1YMWWN1N4O', 'L9ECAV7KIM', '2ZYFJ3GM2N', '0PUK6V6EV0', 'LS4PSXUNUM', '9SIQT8TOJO', '6E92ZMYYFZ', 'HQTGWGPNH4']);
      case 'money':
        return `${r.int(1, 900)}.${pad2(r.int(0, 99))}`;
      case 'hex':
        return r.hex(6).toUpperCase();
      default:
        return `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(2, 254)}`;
    }
  });
}

const JAVA_LEVEL: Record<Level, string> = { debug: 'DEBUG', info: ' INFO', warn: ' WARN', error: 'ERROR', fatal: 'ERROR' };
const PINO_LEVEL: Record<Level, number> = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const DOTNET_LEVEL: Record<Level, string> = { debug: 'Debug', info: 'Information', warn: 'Warning', error: 'Error', fatal: 'Critical' };
const PY_LEVEL: Record<Level, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL' };

function javaLogger(service: string): string {
  const base = service.replace(/^ts-/, '').replace(/-service$/, '').replace(/-/g, '');
  const cls = base.charAt(0).toUpperCase() + base.slice(1);
  return `c.t.${base.slice(0, 1)}.service.${cls}ServiceImpl`.padEnd(40).slice(0, 40);
}

/** One log line in the format of the service's language and framework. */
export function formatLine(ctx: LogContext, level: Level, message: string, r: Rng): string {
  const ids = ctx.traceId !== undefined && ctx.spanId !== undefined;
  switch (ctx.lang) {
    case 'java': {
      const thread = `nio-8080-exec-${r.int(1, 10)}`.padStart(15);
      const trace = ids ? `[${ctx.service},${ctx.traceId},${ctx.spanId}]` : `[${ctx.service},,]`;
      return `${iso(ctx.timeUs)} ${JAVA_LEVEL[level]} 1 --- ${trace} [${thread}] ${javaLogger(ctx.service)} : ${message}`;
    }
    case 'go': {
      const msg = JSON.stringify(message);
      return `time=${iso(ctx.timeUs)} level=${level === 'fatal' ? 'ERROR' : level.toUpperCase()} msg=${msg}${ids ? ` trace_id=${ctx.traceId} span_id=${ctx.spanId}` : ''}`;
    }
    case 'node':
      return JSON.stringify({
        level: PINO_LEVEL[level],
        time: Math.floor(ctx.timeUs / 1000),
        pid: 1,
        hostname: ctx.pod,
        ...(ids ? { trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: '01' } : {}),
        msg: message,
      });
    case 'python': {
      const d = new Date(Math.floor(ctx.timeUs / 1000));
      const ts = `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)},${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
      const otel = ids ? `[trace_id=${ctx.traceId} span_id=${ctx.spanId} resource.service.name=${ctx.service} trace_sampled=True]` : '[trace_id=0 span_id=0 resource.service.name= trace_sampled=False]';
      return `${ts} ${PY_LEVEL[level]} [${ctx.service.replace(/-/g, '_')}] [server.py:${r.int(40, 220)}] ${otel} - ${message}`;
    }
    case 'dotnet':
      return JSON.stringify({
        Timestamp: iso(ctx.timeUs),
        EventId: 0,
        LogLevel: DOTNET_LEVEL[level],
        Category: `${ctx.service.charAt(0).toUpperCase()}${ctx.service.slice(1).replace(/-/g, '')}.Services`,
        Message: message,
        ...(ids ? { Scopes: [{ SpanId: ctx.spanId, TraceId: ctx.traceId, ParentId: '0000000000000000' }] } : {}),
      });
    case 'cpp': {
      const d = new Date(Math.floor(ctx.timeUs / 1000));
      const ts = `${d.getUTCFullYear()}-${MONTHS[d.getUTCMonth()]}-${pad2(d.getUTCDate())} ${d.toISOString().slice(11, 19)}.${String(Math.floor(ctx.timeUs % 1_000_000)).padStart(6, '0')}`;
      const lvl = level === 'warn' ? 'warning' : level;
      return `[${ts}] <${lvl}>: (${ctx.service.replace(/-service$/, '').replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Handler.h:${r.int(60, 400)}) ${message}`;
    }
    case 'postgres':
      return `${iso(ctx.timeUs).replace('T', ' ').replace('Z', ' UTC')} [${r.int(100, 9999)}] ${level === 'error' || level === 'fatal' ? 'ERROR' : level === 'warn' ? 'WARNING' : 'LOG'}:  ${message}`;
    case 'mongodb':
      return JSON.stringify({ t: { $date: iso(ctx.timeUs).replace('Z', '+00:00') }, s: level === 'error' ? 'E' : level === 'warn' ? 'W' : 'I', c: 'COMMAND', id: 51803, ctx: `conn${r.int(10, 900)}`, msg: message });
    case 'redis': {
      const d = new Date(Math.floor(ctx.timeUs / 1000));
      return `1:M ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 23)} ${level === 'warn' || level === 'error' ? '#' : '*'} ${message}`;
    }
    default:
      return message;
  }
}

/** nginx's combined access log line (with the request time), for entry services written in nginx. */
export function accessLine(timeUs: number, method: string, path: string, status: number, seconds: number, r: Rng): string {
  const d = new Date(Math.floor(timeUs / 1000));
  const ts = `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
  return `10.${r.int(0, 3)}.${r.int(0, 255)}.${r.int(2, 254)} - - [${ts}] "${method} ${path} HTTP/1.1" ${status} ${r.int(20, 4000)} "-" "wrk/4.2.0" ${seconds.toFixed(3)}`;
}

/** What a caller logs when a call failed, per language. */
export function callErrorMessage(lang: Lang, callee: string, cause: 'refused' | 'status' | 'timeout', r: Rng): string {
  const ip = `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(2, 254)}`;
  if (cause === 'refused') {
    if (lang === 'java') return `I/O error on POST request for "http://${callee}:8080": Connection refused; nested exception is java.net.ConnectException: Connection refused`;
    if (lang === 'node') return `request to ${callee} failed: 14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED ${ip}:8080`;
    if (lang === 'python') return `failed to call ${callee}: <_InactiveRpcError of RPC that terminated with: status = StatusCode.UNAVAILABLE details = "failed to connect to all addresses">`;
    if (lang === 'dotnet') return `Call to ${callee} failed: Status(StatusCode="Unavailable", Detail="Error connecting to subchannel.")`;
    if (lang === 'cpp') return `Failed to connect ${callee}-client: TSocket::open() connect() <Host: ${callee} Port: 9090>: Connection refused`;
    return `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${ip}:8080: connect: connection refused"`;
  }
  if (cause === 'timeout') {
    if (lang === 'java') return `I/O error on POST request for "http://${callee}:8080": Read timed out; nested exception is java.net.SocketTimeoutException: Read timed out`;
    return `call to ${callee} failed: context deadline exceeded`;
  }
  if (lang === 'java') return `org.springframework.web.client.HttpServerErrorException$InternalServerError: 500 : [{"status":500,"error":"Internal Server Error","path":"/api/v1/${callee.replace(/^ts-/, '').replace(/-service$/, '')}service"}]`;
  if (lang === 'node') return `request to ${callee} failed: 13 INTERNAL: upstream error`;
  if (lang === 'cpp') return `Failed to call ${callee}: TApplicationException: Internal error processing request`;
  return `rpc error: code = Internal desc = ${callee} returned an error`;
}

/** The dependency client error (database or cache down, or its node gone: a timeout), per language and dependency. */
export function dependencyErrorMessage(lang: Lang, dep: Lang, host: string, r: Rng, cause: 'refused' | 'timeout' = 'refused'): string {
  const port = dep === 'redis' ? 6379 : dep === 'memcached' ? 11211 : dep === 'postgres' ? 5432 : 27017;
  const ip = `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(2, 254)}`;
  if (cause === 'timeout') {
    if (dep === 'mongodb' && lang === 'java') return `Timed out after 3000 ms while waiting to connect. Client view of cluster state is {type=UNKNOWN, servers=[{address=${host}:${port}, type=UNKNOWN, state=CONNECTING, exception={com.mongodb.MongoSocketOpenException: Exception opening socket}, caused by {java.net.SocketTimeoutException: Connect timed out}}]`;
    if (lang === 'java') return `Could not open JDBC Connection for transaction; nested exception is java.net.SocketTimeoutException: Connect timed out (${host}:${port})`;
    if (lang === 'dotnet') return `Timeout connecting to ${host}:${port}: ConnectTimeout`;
    if (lang === 'cpp') return `Failed to connect to ${host}:${port}: Connection timed out`;
    return `dial tcp ${ip}:${port}: i/o timeout`;
  }
  if (dep === 'mongodb') {
    if (lang === 'java') return `Exception in monitor thread while connecting to server ${host}:${port} com.mongodb.MongoSocketOpenException: Exception opening socket`;
    return `Failed to connect to mongodb://${host}:${port}: Connection refused`;
  }
  if (dep === 'redis') {
    if (lang === 'dotnet') return `StackExchange.Redis.RedisConnectionException: No connection is active/available to service this operation: HGETALL; UnableToConnect on ${host}:${port}/Interactive`;
    if (lang === 'cpp') return `Failed to connect to redis ${host}:${port}: Connection refused`;
    return `dial tcp ${ip}:${port}: connect: connection refused`;
  }
  if (dep === 'memcached') return `Failed to connect to memcached ${host}:${port}: memcached_get: CONNECTION FAILURE`;
  if (lang === 'go') return `failed to query products: dial tcp ${ip}:${port}: connect: connection refused`;
  return `Connection to ${host}:${port} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.`;
}

/** An exception a service throws, per language: the template of a code fault. */
export function exceptionMessage(lang: Lang, op: string, r: Rng): { type: string; message: string } {
  const method = op.split(/[/ ]/).filter(Boolean).pop() ?? 'handle';
  switch (lang) {
    case 'java':
      return r.pick([
        { type: 'java.lang.NullPointerException', message: `Cannot invoke "java.util.List.size()" because the return value of "${method}" is null` },
        { type: 'java.lang.IllegalStateException', message: `${method}: inconsistent state for entity ${r.hex(8)}` },
      ]);
    case 'go':
      return { type: '*errors.errorString', message: `${method}: invalid argument: unexpected nil value` };
    case 'node':
      return { type: 'TypeError', message: `Cannot read properties of undefined (reading '${method}')` };
    case 'python':
      return { type: 'KeyError', message: `'${method}'` };
    case 'dotnet':
      return { type: 'System.InvalidOperationException', message: `Sequence contains no elements in ${method}` };
    default:
      return { type: 'std::runtime_error', message: `${method}: unexpected empty response` };
  }
}

/** What a caller logs when the name of a service does not resolve (a wrong address in its config), per language. */
export function resolverMessage(lang: Lang, host: string, r: Rng): string {
  switch (lang) {
    case 'java':
      return `I/O error on POST request for "http://${host}:8080": ${host}: Name or service not known; nested exception is java.net.UnknownHostException: ${host}: Name or service not known`;
    case 'node':
      return `request to ${host} failed: getaddrinfo ENOTFOUND ${host}`;
    case 'python':
      return `failed to call ${host}: <_InactiveRpcError of RPC that terminated with: status = StatusCode.UNAVAILABLE details = "DNS resolution failed for ${host}:8080: C-ares status is not ARES_SUCCESS qtype=A name=${host}: Domain name not found">`;
    case 'dotnet':
      return `Call to ${host} failed: Status(StatusCode="Unavailable", Detail="Error starting gRPC call. HttpRequestException: Name or service not known (${host}:8080) SocketException: Name or service not known")`;
    case 'cpp':
      return `Failed to connect ${host}: TSocket::open() getaddrinfo() <Host: ${host} Port: 9090>Name or service not known`;
    default:
      return `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp: lookup ${host} on 10.96.0.10:53: no such host" (${r.int(1, 3)} addresses tried)`;
  }
}

/** What a caller logs when the callee's certificate has expired (the TLS handshake fails), per language. */
export function expiredCertificateMessage(lang: Lang, callee: string, notAfterUs: number): string {
  const after = new Date(Math.floor(notAfterUs / 1e6) * 1000).toISOString().replace('.000Z', 'Z');
  switch (lang) {
    case 'java':
      return `I/O error on POST request for "https://${callee}:8443": PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed; nested exception is javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed`;
    case 'node':
      return `request to ${callee} failed: 14 UNAVAILABLE: certificate has expired (CERT_HAS_EXPIRED)`;
    case 'python':
      return `failed to call ${callee}: ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)`;
    case 'dotnet':
      return `Call to ${callee} failed: The SSL connection could not be established, see inner exception. AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: NotTimeValid`;
    case 'cpp':
      return `Failed to connect ${callee}: TSSLSocket::open(): error:0A000086:SSL routines::certificate verify failed (certificate has expired)`;
    default:
      return `rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time is after ${after}"`;
  }
}

/** What a server logs when a client aborts the handshake on its certificate. */
export function rejectedHandshakeLine(lang: Lang, r: Rng): string {
  const peer = `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(2, 254)}:${r.int(32768, 60999)}`;
  if (lang === 'go') return `http: TLS handshake error from ${peer}: remote error: tls: bad certificate`;
  if (lang === 'java') return `Handshake failed for client ${peer}: javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_unknown`;
  if (lang === 'cpp') return `TSSLSocket::accept(): error:0A000416:SSL routines::sslv3 alert certificate unknown (peer ${peer})`;
  return `TLS handshake with ${peer} failed: alert certificate_unknown`;
}

/** The exception a service throws when no connection of its database or cache pool frees up in time. */
export function poolTimeoutException(lang: Lang, timeoutMs: number): { type: string; message: string } {
  switch (lang) {
    case 'java':
      return { type: 'java.sql.SQLTransientConnectionException', message: `HikariPool-1 - Connection is not available, request timed out after ${timeoutMs}ms.` };
    case 'node':
      return { type: 'KnexTimeoutError', message: 'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?' };
    case 'python':
      return { type: 'sqlalchemy.exc.TimeoutError', message: `QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout ${timeoutMs / 1000} (Background on this error at: https://sqlalche.me/e/20/3o7r)` };
    case 'dotnet':
      return { type: 'System.InvalidOperationException', message: `The connection pool has been exhausted, either raise 'Max Pool Size' (currently 100) or 'Timeout' (currently ${timeoutMs / 1000} seconds) in your connection string.` };
    case 'go':
      return { type: '*errors.errorString', message: `failed to acquire connection: pool exhausted (max conns 10 in use): context deadline exceeded after ${timeoutMs}ms` };
    default:
      return { type: 'mongocxx::exception', message: `connection pool wait queue timed out after ${timeoutMs}ms: no connection available` };
  }
}

/** What a pod logs when Kubernetes stops it (a rollout replacing it, a finished job). */
export function shutdownMessage(lang: Lang): string {
  if (lang === 'java') return 'Commencing graceful shutdown. Waiting for active requests to complete';
  if (lang === 'go') return 'received signal terminated, shutting down server';
  if (lang === 'dotnet') return 'Application is shutting down...';
  return 'received SIGTERM, shutting down';
}
