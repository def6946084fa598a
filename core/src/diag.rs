//! Diagnostics: every skipped row, field or input, with the place it happened.
//!
//! Bad input never stops an analysis: the decoders record what they skipped here and go on
//! with what was valid. The report carries the counts and the first entries.

use std::collections::BTreeMap;

/// How many entries are kept verbatim; beyond this only the counts grow, so a hostile input
/// with a million bad rows cannot blow up the report.
pub const MAX_KEPT: usize = 200;

/// Where a problem is: input, frame (or stream, batch, series), field, row. Rows count from 0.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Place {
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
}

impl Place {
    pub fn input(source: &str) -> Place {
        Place { source: source.to_string(), ..Place::default() }
    }

    pub fn frame(mut self, frame: impl Into<String>) -> Place {
        self.frame = Some(frame.into());
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Place {
        self.field = Some(field.into());
        self
    }

    pub fn row(mut self, row: usize) -> Place {
        self.row = Some(row as u64);
        self
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)?;
        if let Some(frame) = &self.frame {
            write!(f, ", frame {frame}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        Ok(())
    }
}

/// How bad it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was read in a degraded way (a repaired trace, a defaulted field).
    Warning,
    /// A row, field, frame or whole input was skipped.
    Skipped,
    /// An input could not be read at all, or is an error response from its server.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Diagnostic {
    pub severity: Severity,
    #[serde(flatten)]
    pub place: Place,
    pub reason: String,
}

impl Severity {
    /// The severity as the report spells it.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Skipped => "skipped",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.reason)
    }
}

#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    kept: Vec<Diagnostic>,
    /// Counts by severity and reason, so the report says how many of each there were.
    counts: BTreeMap<(Severity, String), u64>,
}

impl Diagnostics {
    pub fn push(&mut self, severity: Severity, place: Place, reason: impl Into<String>) {
        let reason = reason.into();
        *self.counts.entry((severity, reason.clone())).or_default() += 1;
        if self.kept.len() < MAX_KEPT {
            self.kept.push(Diagnostic { severity, place, reason });
        }
    }

    pub fn warn(&mut self, place: Place, reason: impl Into<String>) {
        self.push(Severity::Warning, place, reason)
    }

    pub fn skip(&mut self, place: Place, reason: impl Into<String>) {
        self.push(Severity::Skipped, place, reason)
    }

    pub fn error(&mut self, place: Place, reason: impl Into<String>) {
        self.push(Severity::Error, place, reason)
    }

    /// Diagnostics as `entries` and `counts` give them (a partial state read back); entries past
    /// `MAX_KEPT` are dropped, as `push` would not have kept them.
    pub fn from_parts(mut kept: Vec<Diagnostic>, counts: impl IntoIterator<Item = (Severity, String, u64)>) -> Diagnostics {
        kept.truncate(MAX_KEPT);
        let mut out = Diagnostics { kept, counts: BTreeMap::new() };
        for (severity, reason, n) in counts {
            *out.counts.entry((severity, reason)).or_default() += n;
        }
        out
    }

    /// Adds `later`'s diagnostics after these, as if they had been pushed here: counts add up,
    /// and the kept entries stay the first `MAX_KEPT` of both in order.
    pub fn append(&mut self, later: Diagnostics) {
        for (key, n) in later.counts {
            *self.counts.entry(key).or_default() += n;
        }
        let room = MAX_KEPT.saturating_sub(self.kept.len());
        self.kept.extend(later.kept.into_iter().take(room));
    }

    pub fn entries(&self) -> &[Diagnostic] {
        &self.kept
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    pub fn count(&self, severity: Severity) -> u64 {
        self.counts.iter().filter(|((s, _), _)| *s == severity).map(|(_, n)| n).sum()
    }

    /// (severity, reason, count), sorted.
    pub fn counts(&self) -> impl Iterator<Item = (Severity, &str, u64)> {
        self.counts.iter().map(|((s, r), n)| (*s, r.as_str(), *n))
    }
}
