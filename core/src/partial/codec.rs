//! A decoded dataset as bytes, and back: how a partial state crosses from a Spark executor to the
//! driver. Little-endian throughout; each string once (the interner's table), rows as ids into it.
//!
//! ```text
//! dataset     = strings:list(blob) label_sets:list(list(key:u32 value:u32)) sources:list(input:blob format:blob)
//!               spans:list(span) logs:list(log) series:list(series) exemplars:list(exemplar)
//!               diagnostics
//! diagnostics = counts:list(severity:u8 reason:blob n:u64) kept:list(diagnostic)
//! span        = trace:u128 span:u64 parent:u64 resource:u32 operation:u32 kind:u8 start:i64 duration:i64
//!               status:u8 status_message:u32 attributes:u32 source:u32
//! log         = time:i64 resource:u32 metadata:u32 level:u8 source:u32
//! series      = name:u32 labels:u32 source:u32 points:list(time:i64 value:f64)
//! exemplar    = series:u32 series_labels:u32 labels:u32 time:i64 value:f64 trace:u128 span:u64 source:u32
//! diagnostic  = severity:u8 source:blob frame:opt(blob) field:opt(blob) row:opt(u64) reason:blob
//! text        = log_ids:list(trace:u128 span:u64) origins:list(origin:u8 n:u64) diagnostics
//!               samples_kept:u32 signatures:list(signature:blob lines:u64 samples:list(row:u32 message:blob))
//!               log_signatures:list(u32)
//! list(x)     = count:u32 x*count        blob = len:u32 byte*len        opt(x) = 0:u8 | 1:u8 x
//! ```
//!
//! A log row carries no body and no ids: `text` holds what was read from them (the ids found,
//! one per row, and each row's signature in the input's miner, with the miner's counts and the
//! first messages per signature).
//!
//! Ids are 0 for none (an all-zero trace or span id is invalid, so never stored), and an optional
//! string or series index is `u32::MAX` for none. Reading never panics and never trusts an id: the
//! dataset is rebuilt through the model's own interning, every id checked against its table, so a
//! state that is not one this module wrote is an error saying where, not a wrong analysis.

use crate::base::Level;
use crate::correlate::{IdOrigin, LogIds};
use crate::diag::{Diagnostic, Diagnostics, Place, Severity};
use crate::model::{Dataset, ExemplarRow, LabelSetId, LogRow, SourceId, SpanKind, SpanRow, SpanStatus, Sym};
use crate::patterns::LogLines;
use crate::{SpanId, TraceId};

const NONE: u32 = u32::MAX;

/// A state that cannot be read: what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError(pub String);

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unreadable partial state: {}", self.0)
    }
}

impl std::error::Error for StateError {}

pub(super) struct Writer(pub Vec<u8>);

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u128(&mut self, v: u128) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    /// A count or length: tables of a wasm32 dataset never exceed `u32`.
    fn len(&mut self, n: usize) {
        self.u32(n as u32);
    }
    pub fn blob(&mut self, b: &str) {
        self.len(b.len());
        self.0.extend_from_slice(b.as_bytes());
    }
    fn opt_blob(&mut self, b: Option<&str>) {
        match b {
            Some(b) => {
                self.u8(1);
                self.blob(b);
            }
            None => self.u8(0),
        }
    }
}

pub(super) struct Reader<'a> {
    pub bytes: &'a [u8],
    pub at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], StateError> {
        let left = self.bytes.len() - self.at;
        if n > left {
            return Err(StateError(format!("truncated at byte {}: {what} needs {n} bytes, {left} left", self.at)));
        }
        self.at += n;
        Ok(&self.bytes[self.at - n..self.at])
    }
    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], StateError> {
        Ok(self.take(N, what)?.try_into().expect("take returns N bytes"))
    }
    pub fn u8(&mut self, what: &str) -> Result<u8, StateError> {
        Ok(self.array::<1>(what)?[0])
    }
    pub fn u32(&mut self, what: &str) -> Result<u32, StateError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    fn u64(&mut self, what: &str) -> Result<u64, StateError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    fn i64(&mut self, what: &str) -> Result<i64, StateError> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }
    fn u128(&mut self, what: &str) -> Result<u128, StateError> {
        Ok(u128::from_le_bytes(self.array(what)?))
    }
    fn f64(&mut self, what: &str) -> Result<f64, StateError> {
        Ok(f64::from_bits(self.u64(what)?))
    }
    /// A count of items each at least `min_size` bytes: a count the rest cannot hold is refused
    /// before anything is reserved for it.
    pub fn count(&mut self, min_size: usize, what: &str) -> Result<usize, StateError> {
        let n = self.u32(what)? as usize;
        if n.saturating_mul(min_size.max(1)) > self.bytes.len() - self.at {
            return Err(StateError(format!("{what}: {n} items cannot fit in the {} bytes left", self.bytes.len() - self.at)));
        }
        Ok(n)
    }
    pub fn text(&mut self, what: &str) -> Result<&'a str, StateError> {
        let n = self.u32(what)? as usize;
        let at = self.at;
        std::str::from_utf8(self.take(n, what)?).map_err(|e| StateError(format!("{what} at byte {at} is not UTF-8: {e}")))
    }
    fn opt_text(&mut self, what: &str) -> Result<Option<&'a str>, StateError> {
        match self.u8(what)? {
            0 => Ok(None),
            1 => self.text(what).map(Some),
            other => Err(StateError(format!("{what}: option tag {other}"))),
        }
    }
}

// An enum's code is its declaration index (`as u8`); these tables read it back (a test checks
// each table is in declaration order).
const KINDS: [SpanKind; 6] =
    [SpanKind::Unspecified, SpanKind::Internal, SpanKind::Server, SpanKind::Client, SpanKind::Producer, SpanKind::Consumer];
const STATUSES: [SpanStatus; 3] = [SpanStatus::Unset, SpanStatus::Ok, SpanStatus::Error];
const SEVERITIES: [Severity; 3] = [Severity::Warning, Severity::Skipped, Severity::Error];

fn pick<T: Copy>(table: &[T], code: u8, what: &str) -> Result<T, StateError> {
    table.get(code as usize).copied().ok_or_else(|| StateError(format!("{what}: unknown code {code}")))
}

pub(super) fn write_dataset(w: &mut Writer, ds: &Dataset) {
    w.len(ds.strings.len());
    for i in 0..ds.strings.len() {
        w.blob(ds.strings.resolve(Sym(i as u32)));
    }
    w.len(ds.label_sets.len());
    for i in 0..ds.label_sets.len() {
        let set = ds.label_sets.get(LabelSetId(i as u32));
        w.len(set.len());
        for (k, v) in set {
            w.u32(k.0);
            w.u32(v.0);
        }
    }
    w.len(ds.sources.len());
    for s in &ds.sources {
        w.blob(&s.input);
        w.blob(&s.format);
    }
    let s = &ds.spans;
    w.len(s.len());
    for r in 0..s.len() {
        w.u128(s.trace[r].value());
        w.u64(s.span[r].value());
        w.u64(s.parent[r].map_or(0, SpanId::value));
        w.u32(s.resource[r].0);
        w.u32(s.operation[r].0);
        w.u8(s.kind[r] as u8);
        w.i64(s.start_ns[r]);
        w.i64(s.duration_ns[r]);
        w.u8(s.status[r] as u8);
        w.u32(s.status_message[r].map_or(NONE, |m| m.0));
        w.u32(s.attributes[r].0);
        w.u32(s.source[r].0);
    }
    let l = &ds.logs;
    w.len(l.len());
    for r in 0..l.len() {
        w.i64(l.time_ns[r]);
        w.u32(l.resource[r].0);
        w.u32(l.metadata[r].0);
        w.u8(l.level[r] as u8);
        w.u32(l.source[r].0);
    }
    let m = &ds.series;
    w.len(m.len());
    for i in 0..m.len() {
        w.u32(m.name[i].0);
        w.u32(m.labels[i].0);
        w.u32(m.source[i].0);
        let (times, values) = m.points(i);
        w.len(times.len());
        for (t, v) in times.iter().zip(values) {
            w.i64(*t);
            w.f64(*v);
        }
    }
    let e = &ds.exemplars;
    w.len(e.len());
    for r in 0..e.len() {
        w.u32(e.series[r].unwrap_or(NONE));
        w.u32(e.series_labels[r].0);
        w.u32(e.labels[r].0);
        w.i64(e.time_ns[r]);
        w.f64(e.value[r]);
        w.u128(e.trace[r].map_or(0, TraceId::value));
        w.u64(e.span[r].map_or(0, SpanId::value));
        w.u32(e.source[r].0);
    }
    write_diagnostics(w, &ds.diagnostics);
}

fn write_diagnostics(w: &mut Writer, diagnostics: &Diagnostics) {
    let counts: Vec<_> = diagnostics.counts().collect();
    w.len(counts.len());
    for (severity, reason, n) in counts {
        w.u8(severity as u8);
        w.blob(reason);
        w.u64(n);
    }
    let kept = diagnostics.entries();
    w.len(kept.len());
    for d in kept {
        w.u8(d.severity as u8);
        w.blob(&d.place.source);
        w.opt_blob(d.place.frame.as_deref());
        w.opt_blob(d.place.field.as_deref());
        match d.place.row {
            Some(row) => {
                w.u8(1);
                w.u64(row);
            }
            None => w.u8(0),
        }
        w.blob(&d.reason);
    }
}

/// Maps the ids a state names to the rebuilt dataset's, refusing any outside their table.
struct Ids {
    strings: Vec<Sym>,
    sets: Vec<LabelSetId>,
    sources: u32,
    series: u32,
}

impl Ids {
    fn sym(&self, id: u32, what: &str) -> Result<Sym, StateError> {
        self.strings.get(id as usize).copied().ok_or_else(|| StateError(format!("{what}: string {id} of {}", self.strings.len())))
    }
    fn opt_sym(&self, id: u32, what: &str) -> Result<Option<Sym>, StateError> {
        if id == NONE {
            Ok(None)
        } else {
            self.sym(id, what).map(Some)
        }
    }
    fn set(&self, id: u32, what: &str) -> Result<LabelSetId, StateError> {
        self.sets.get(id as usize).copied().ok_or_else(|| StateError(format!("{what}: label set {id} of {}", self.sets.len())))
    }
    fn source(&self, id: u32, what: &str) -> Result<SourceId, StateError> {
        if id < self.sources {
            Ok(SourceId(id))
        } else {
            Err(StateError(format!("{what}: source {id} of {}", self.sources)))
        }
    }
}

pub(super) fn read_dataset(r: &mut Reader, what: &str) -> Result<Dataset, StateError> {
    let mut ds = Dataset::default();
    let n = r.count(4, &format!("{what} strings"))?;
    let mut strings = Vec::with_capacity(n);
    for i in 0..n {
        strings.push(ds.strings.intern(r.text(&format!("{what} string {i}"))?));
    }
    let mut ids = Ids { strings, sets: Vec::new(), sources: 0, series: 0 };
    let n = r.count(4, &format!("{what} label sets"))?;
    for i in 0..n {
        let place = format!("{what} label set {i}");
        let pairs = r.count(8, &place)?;
        let mut set = Vec::with_capacity(pairs);
        for _ in 0..pairs {
            set.push((ids.sym(r.u32(&place)?, &place)?, ids.sym(r.u32(&place)?, &place)?));
        }
        let id = ds.label_sets.intern(&ds.strings, set);
        ids.sets.push(id);
    }
    let n = r.count(8, &format!("{what} sources"))?;
    for i in 0..n {
        let place = format!("{what} source {i}");
        let (input, format) = (r.text(&place)?, r.text(&place)?);
        ds.add_source(input, format);
    }
    ids.sources = n as u32;
    let n = r.count(70, &format!("{what} spans"))?;
    for i in 0..n {
        let place = format!("{what} span {i}");
        let p = place.as_str();
        let trace = TraceId::new(r.u128(p)?).ok_or_else(|| StateError(format!("{p}: all-zero trace id")))?;
        let span = SpanId::new(r.u64(p)?).ok_or_else(|| StateError(format!("{p}: all-zero span id")))?;
        let parent = SpanId::new(r.u64(p)?);
        ds.spans.push(SpanRow {
            trace,
            span,
            parent,
            resource: ids.set(r.u32(p)?, p)?,
            operation: ids.sym(r.u32(p)?, p)?,
            kind: pick(&KINDS, r.u8(p)?, p)?,
            start_ns: r.i64(p)?,
            duration_ns: r.i64(p)?,
            status: pick(&STATUSES, r.u8(p)?, p)?,
            status_message: ids.opt_sym(r.u32(p)?, p)?,
            attributes: ids.set(r.u32(p)?, p)?,
            source: ids.source(r.u32(p)?, p)?,
        });
    }
    let n = r.count(21, &format!("{what} logs"))?;
    // A state carries no log text: what was read from it is in `text`.
    ds.logs.forget_text();
    ds.logs.reserve(n, 0);
    for i in 0..n {
        let place = format!("{what} log {i}");
        let p = place.as_str();
        let time_ns = r.i64(p)?;
        let resource = ids.set(r.u32(p)?, p)?;
        let metadata = ids.set(r.u32(p)?, p)?;
        let level = pick(&Level::ALL, r.u8(p)?, p)?;
        let source = ids.source(r.u32(p)?, p)?;
        // `push` keeps the level as read (an empty body names none).
        ds.logs.push(LogRow { time_ns, resource, metadata, level, trace: None, span: None, body: "", source });
    }
    let n = r.count(16, &format!("{what} series"))?;
    for i in 0..n {
        let place = format!("{what} series {i}");
        let p = place.as_str();
        let (name, labels, source) = (ids.sym(r.u32(p)?, p)?, ids.set(r.u32(p)?, p)?, ids.source(r.u32(p)?, p)?);
        let points = r.count(16, p)?;
        let mut read = Vec::with_capacity(points);
        for _ in 0..points {
            read.push((r.i64(p)?, r.f64(p)?));
        }
        ds.series.push(name, labels, source, read);
    }
    ids.series = n as u32;
    let n = r.count(56, &format!("{what} exemplars"))?;
    for i in 0..n {
        let place = format!("{what} exemplar {i}");
        let p = place.as_str();
        let series = match r.u32(p)? {
            NONE => None,
            s if s < ids.series => Some(s),
            s => return Err(StateError(format!("{p}: series {s} of {}", ids.series))),
        };
        ds.exemplars.push(ExemplarRow {
            series,
            series_labels: ids.set(r.u32(p)?, p)?,
            labels: ids.set(r.u32(p)?, p)?,
            time_ns: r.i64(p)?,
            value: r.f64(p)?,
            trace: TraceId::new(r.u128(p)?),
            span: SpanId::new(r.u64(p)?),
            source: ids.source(r.u32(p)?, p)?,
        });
    }
    ds.diagnostics = read_diagnostics(r, what)?;
    Ok(ds)
}

fn read_diagnostics(r: &mut Reader, what: &str) -> Result<Diagnostics, StateError> {
    let n = r.count(13, &format!("{what} diagnostic counts"))?;
    let mut counts = Vec::with_capacity(n);
    for i in 0..n {
        let place = format!("{what} diagnostic count {i}");
        counts.push((pick(&SEVERITIES, r.u8(&place)?, &place)?, r.text(&place)?.to_string(), r.u64(&place)?));
    }
    let n = r.count(12, &format!("{what} diagnostics"))?;
    let mut kept = Vec::with_capacity(n);
    for i in 0..n {
        let place = format!("{what} diagnostic {i}");
        let p = place.as_str();
        let severity = pick(&SEVERITIES, r.u8(p)?, p)?;
        let source = r.text(p)?.to_string();
        let frame = r.opt_text(p)?.map(str::to_string);
        let field = r.opt_text(p)?.map(str::to_string);
        let row = match r.u8(p)? {
            0 => None,
            1 => Some(r.u64(p)?),
            other => return Err(StateError(format!("{p}: option tag {other}"))),
        };
        let reason = r.text(p)?.to_string();
        kept.push(Diagnostic { severity, place: Place { source, frame, field, row }, reason });
    }
    Ok(Diagnostics::from_parts(kept, counts))
}

const ORIGINS: [IdOrigin; 4] = [IdOrigin::Field, IdOrigin::Metadata, IdOrigin::Labels, IdOrigin::Body];

pub(super) fn write_text(w: &mut Writer, ids: &LogIds, lines: &LogLines) {
    w.len(ids.trace.len());
    for (row, span) in ids.span.iter().enumerate() {
        w.u128(ids.trace.get(row).map_or(0, TraceId::value));
        w.u64(span.map_or(0, SpanId::value));
    }
    w.len(ids.origins.len());
    for (origin, n) in &ids.origins {
        w.u8(*origin as u8);
        w.u64(*n);
    }
    write_diagnostics(w, &ids.diagnostics);
    w.len(lines.kept);
    w.len(lines.miner.signature_count());
    for (s, samples) in lines.samples.iter().enumerate() {
        w.blob(lines.miner.signature(s as u32));
        w.u64(lines.miner.signature_lines(s as u32));
        w.len(samples.len());
        for (row, message) in samples {
            w.u32(*row);
            w.blob(message);
        }
    }
    w.len(lines.signature.len());
    for s in &lines.signature {
        w.u32(*s);
    }
}

/// The text of an input of `rows` log rows: every row has its ids and its signature, and the
/// miner's counts are the rows' (a state that says otherwise would mine other templates).
pub(super) fn read_text(r: &mut Reader, what: &str, rows: usize) -> Result<(LogIds, LogLines), StateError> {
    let mut ids = LogIds::default();
    let n = r.count(24, &format!("{what} log ids"))?;
    if n != rows {
        return Err(StateError(format!("{what}: ids for {n} log rows, the input has {rows}")));
    }
    for _ in 0..n {
        ids.trace.push(TraceId::new(r.u128(what)?));
        ids.span.push(SpanId::new(r.u64(what)?));
    }
    let n = r.count(9, &format!("{what} id origins"))?;
    for _ in 0..n {
        let origin = pick(&ORIGINS, r.u8(what)?, what)?;
        *ids.origins.entry(origin).or_default() += r.u64(what)?;
    }
    ids.diagnostics = read_diagnostics(r, &format!("{what} id"))?;
    let mut lines = LogLines { kept: r.u32(what)? as usize, ..LogLines::default() };
    let n = r.count(16, &format!("{what} signatures"))?;
    let mut counts = Vec::with_capacity(n);
    for i in 0..n {
        let place = format!("{what} signature {i}");
        let p = place.as_str();
        let (signature, count) = (r.text(p)?, r.u64(p)?);
        if lines.miner.add_signature(signature, count) != i as u32 {
            return Err(StateError(format!("{p} repeats an earlier one")));
        }
        counts.push(count);
        let m = r.count(8, p)?;
        if m > lines.kept {
            return Err(StateError(format!("{p}: {m} samples, {} kept", lines.kept)));
        }
        let mut samples: Vec<(u32, String)> = Vec::with_capacity(m);
        for _ in 0..m {
            let row = r.u32(p)?;
            if row as usize >= rows || samples.last().is_some_and(|(last, _)| *last >= row) {
                return Err(StateError(format!("{p}: sample row {row}")));
            }
            samples.push((row, r.text(p)?.to_string()));
        }
        lines.samples.push(samples);
    }
    let n = r.count(4, &format!("{what} log signatures"))?;
    if n != rows {
        return Err(StateError(format!("{what}: signatures for {n} log rows, the input has {rows}")));
    }
    for row in 0..n {
        let s = r.u32(what)?;
        match counts.get_mut(s as usize) {
            Some(left) if *left > 0 => *left -= 1,
            _ => return Err(StateError(format!("{what}: log row {row} has signature {s}, beyond its count"))),
        }
        lines.signature.push(s);
    }
    if let Some(s) = counts.iter().position(|left| *left != 0) {
        return Err(StateError(format!("{what}: signature {s} counts more lines than have it")));
    }
    Ok((ids, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_tables_are_in_declaration_order() {
        assert!(KINDS.iter().enumerate().all(|(i, k)| *k as usize == i));
        assert!(STATUSES.iter().enumerate().all(|(i, k)| *k as usize == i));
        assert!(SEVERITIES.iter().enumerate().all(|(i, k)| *k as usize == i));
        assert!(Level::ALL.iter().enumerate().all(|(i, k)| *k as usize == i));
        assert!(ORIGINS.iter().enumerate().all(|(i, k)| *k as usize == i));
    }
}
