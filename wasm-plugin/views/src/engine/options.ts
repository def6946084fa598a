// Panel (and demo) options -> the core's Options JSON (core/src/options.rs). Only what the user set is
// sent: the core's documented defaults apply to the rest, and its `deny_unknown_fields` keeps this honest.
import type { CorrelateOptions, Options } from 'rootspan';

import type { OnsetView } from '../model';

import type { RootCauseOptions } from './settings';

const list = (text: string, sep: RegExp) =>
  text
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** A window end as the core reads it: epoch ms when the text is a number, else the RFC 3339 text. */
const timeWire = (text: string): string | number => (/^\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text.trim());

export function toCoreOptions(o: RootCauseOptions): Options {
  const core: Options = { top: Math.max(1, Math.round(o.top || 10)) };
  if (o.windowStart.trim() && o.windowEnd.trim()) {
    core.window = { start: timeWire(o.windowStart), end: timeWire(o.windowEnd) };
  }
  const correlation: CorrelateOptions = {};
  const fields = list(o.traceIdFields, /,/);
  if (fields.length) {
    correlation.trace_id_fields = fields;
  }
  const bodyKeys = list(o.traceIdBodyKeys, /,/);
  if (bodyKeys.length) {
    correlation.body_trace_keys = bodyKeys;
  }
  const services = list(o.serviceLabels, /,/);
  if (services.length) {
    correlation.service_labels = services;
  }
  if (Object.keys(correlation).length) {
    core.correlation = correlation;
  }
  // Log samples are redacted in the core, before they reach the page.
  core.patterns = { redact: o.redact };
  return core;
}

/** The options that analyse from this candidate onset: its window and, when it has one, its baseline. */
export function withOnset(options: Options, onset: OnsetView): Options {
  const analysed: Options = { ...options, window: onset.request.window, baseline: onset.request.baseline };
  if (!analysed.baseline) {
    delete analysed.baseline; // the core then places one right before the window
  }
  return analysed;
}
