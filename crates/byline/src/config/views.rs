//! `[views]`: counting readers' views for `Most read` and the admin's story list.

use serde::Deserialize;

/// `[views]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewsConfig {
    /// Count readers' views of articles (no cookie, nothing about the reader kept). Default: true.
    #[serde(default = "super::default_true")]
    pub count: bool,
    /// Seconds between a node's batches of counts to the store. Default: 10.
    #[serde(default = "default_flush_seconds")]
    pub flush_seconds: u32,
    /// Seconds between readings of the `Most read` list (sooner when a story in it is taken
    /// down). Default: 60.
    #[serde(default = "default_most_read_seconds")]
    pub most_read_seconds: u32,
}

impl Default for ViewsConfig {
    fn default() -> ViewsConfig {
        ViewsConfig {
            count: true,
            flush_seconds: default_flush_seconds(),
            most_read_seconds: default_most_read_seconds(),
        }
    }
}

fn default_flush_seconds() -> u32 {
    10
}

fn default_most_read_seconds() -> u32 {
    60
}
