// What one case is: a system, one injected fault, the noise around it, and the times.
import type { Topology } from './topology.js';

/** The fault families; each shows in its own signal only (research/rca-notes.md). */
export const FAULT_TYPES = ['latency', 'errors', 'cpu', 'memory_leak', 'network_delay', 'dependency_down', 'wrong_result', 'crash_loop'] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export interface Fault {
  readonly type: FaultType;
  readonly service: string;
  /** The pod the fault is injected into. */
  readonly pod: string;
  readonly startUs: number;
  readonly endUs: number;
  /** latency / errors / wrong_result: the operation affected. */
  readonly op?: string;
  /** network_delay: the caller whose calls to the pod are delayed. */
  readonly caller?: string;
  /** latency and network delay: median extra ms; errors: failing share; cpu: slowdown factor. */
  readonly magnitude: number;
  /** wrong_result: the index of a downstream call the faulty code no longer makes, if any. */
  readonly skipCall?: number;
}

export interface Noise {
  /** A healthy pod logging errors at a steady rate all along. */
  readonly chatty?: { service: string; pod: string; everyMs: number; message: string };
  /** An endpoint that is always slow, unrelated to the fault. */
  readonly slowOp?: { service: string; op: string; ms: number };
  /** Head sampling: the share of traces kept (1 or 0.1). */
  readonly sampling: number;
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
