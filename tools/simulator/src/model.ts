// What one case is: a system, one injected fault, the noise around it, and the times.
import type { Topology } from './topology.js';

/** The fault families; each shows in its own signal only (research/rca-notes.md). */
export const FAULT_TYPES = [
  'latency',
  'errors',
  'cpu',
  'memory_leak',
  'network_delay',
  'dependency_down',
  'wrong_result',
  'crash_loop',
  'bad_deploy',
  'node_failure',
  'slow_query',
  'pool_exhaustion',
  'queue_lag',
  'dns_error',
  'cert_expiry',
  'retry_storm',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export interface Fault {
  readonly type: FaultType;
  /** What an SRE would blame: a service, or for `node_failure` the node. */
  readonly service: string;
  /** The pod to blame; absent when the fault is the whole service's (a config, a certificate) or a node's. */
  readonly pod?: string;
  /** node_failure: the node whose pods all stop answering. */
  readonly node?: string;
  /** slow_query: the statement (`find order.orders`) that turned slow; dns_error: the service that no longer resolves. */
  readonly target?: string;
  /** pool_exhaustion: the pool's acquire timeout; retry_storm: the callers' client timeout (ms). */
  readonly timeoutMs?: number;
  readonly startUs: number;
  readonly endUs: number;
  /** latency / errors / wrong_result: the operation affected. */
  readonly op?: string;
  /** network_delay: the caller whose calls to the pod are delayed. */
  readonly caller?: string;
  /**
   * latency, network delay, slow query, retry storm: median extra ms; errors, bad deploy, pool exhaustion: failing
   * share; cpu: slowdown factor; memory leak: seconds to the OOM kill; queue lag: queue delay added per second.
   */
  readonly magnitude: number;
  /** wrong_result: the index of a downstream call the faulty code no longer makes, if any. */
  readonly skipCall?: number;
}

export interface Noise {
  /** A healthy pod logging errors at a steady rate all along. */
  readonly chatty?: { service: string; pod: string; everyMs: number; message: string };
  /** An endpoint that is always slow, unrelated to the fault. */
  readonly slowOp?: { service: string; op: string; ms: number };
  /** Head sampling: the share of traces kept (1, or 0.01 to 0.1). */
  readonly sampling: number;
  /** How much busier than average the time of day is: the entry rate at `t` is scaled by `diurnal(t)`. */
  readonly diurnalPeak: number;
  /** An unrelated service rolled out to a new version (every replica replaced), healthy. */
  readonly deploy?: { service: string; atUs: number };
  /** A batch job pod that runs heavy queries against one database for a while. */
  readonly batch?: { service: string; pod: string; db: string; startUs: number; endUs: number; perSecond: number };
  /** A service that is not instrumented: no spans of its own, and its downstream calls start new traces. */
  readonly untraced?: string;
  /** A pod whose clock is off. */
  readonly skew?: { pod: string; ms: number };
  /** A short burst of errors on an unrelated pod. */
  readonly blip?: { service: string; pod: string; startUs: number; endUs: number; share: number };
  /** An unrelated pod restarted once (a deploy), in the baseline. */
  readonly restart?: { pod: string; atUs: number };
  /** Traffic in the window relative to the baseline. */
  readonly windowRate: number;
}

export interface PodSpec {
  readonly name: string;
  readonly service: string;
  readonly node: string;
  /** The image version it runs (`service.version`). */
  readonly version: string;
  /** When the pod was created and deleted, if inside the data (a rollout, a batch job). */
  readonly startUs?: number;
  readonly endUs?: number;
}

export interface CasePlan {
  readonly id: string;
  readonly seed: number;
  readonly topology: Topology;
  readonly pods: readonly PodSpec[];
  readonly fault: Fault;
  readonly noise: Noise;
  readonly baseline: { startUs: number; endUs: number };
  readonly window: { startUs: number; endUs: number };
  /** Data covers [dataStartUs, dataEndUs). */
  readonly dataStartUs: number;
  readonly dataEndUs: number;
}
