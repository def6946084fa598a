//! Arguments every analysing command takes: the window, the baseline and an options file.

use std::path::PathBuf;

use rootspan_core::{Options, TimeRange};

#[derive(clap::Args, Debug, Clone)]
pub struct RangeArgs {
    /// The incident window, START,END (RFC 3339 or epoch milliseconds). Default: found from the data.
    #[arg(long, value_name = "START,END", value_parser = parse_range)]
    pub window: Option<TimeRange>,
    /// The baseline, START,END. Default: as long as the window, right before it.
    #[arg(long, value_name = "START,END", value_parser = parse_range)]
    pub baseline: Option<TimeRange>,
    /// Options JSON file (snake_case keys, see schema/options.schema.json); flags override it.
    #[arg(long, value_name = "FILE")]
    pub options: Option<PathBuf>,
}

impl RangeArgs {
    /// The options file (or the defaults) with the window and baseline flags applied; an error
    /// names the file.
    pub fn options(&self) -> Result<Options, String> {
        let mut options = match &self.options {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
                Options::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => Options::default(),
        };
        if self.window.is_some() {
            options.window = self.window;
        }
        if self.baseline.is_some() {
            options.baseline = self.baseline;
        }
        options.validate()?;
        Ok(options)
    }
}

pub fn parse_range(text: &str) -> Result<TimeRange, String> {
    let (start, end) = text.split_once(',').ok_or_else(|| format!("expected START,END, got {text:?}"))?;
    TimeRange::new(rootspan_core::time::parse_timestamp(start)?, rootspan_core::time::parse_timestamp(end)?)
}
