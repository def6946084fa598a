//! The base layer: small vocabulary every stage may use, using no stage itself.
//!
//! - `TimeRange`: a half-open range of ns since the epoch, as options and reports give it.
//! - `stats`: robust statistics (median, MAD).
//! - `level`: `Level` and the one log-level classifier (a level word, a line's first level word).
//! - `metric`: what a metric series measures, from its name, and its samples as readings
//!   (counters as increases), read the same way by window detection and ranking.
//! - `number`: numbers as text (label values, series names).
//! - `bytes`: byte classes eight bytes at a time, for scans over every byte of the log bodies.
//!
//! Below it only `time` (RFC 3339 parsing and formatting), `id` and `diag`, which use nothing of
//! the crate either; see `tests/edges.rs` for the order every module keeps.

pub mod bytes;
pub mod level;
pub mod metric;
pub mod number;
pub mod stats;
mod time_range;

pub use level::Level;
pub use number::format_number;
pub use time_range::TimeRange;
