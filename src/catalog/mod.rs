//! Reading the catalogue: files from a folder or the copy embedded in the binary, parsed with
//! serde-saphyr into the shapes of [`raw`]. Nothing here knows what the values mean; the
//! [`crate::model`] stage checks them.

mod explain;
pub use explain::closest;
pub mod raw;
mod source;
pub mod synth;

pub use source::{
    CatalogSource, DR_FILE, MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, UNREADABLE, load, options,
    read_dr_policy,
};

use crate::diag::SourceFile;
use std::sync::Arc;

/// Every catalogue file that parsed, with the file it came from.
#[derive(Debug, Default)]
pub struct RawCatalog {
    pub platform: Option<(Arc<SourceFile>, raw::PlatformFile)>,
    pub domains: Option<(Arc<SourceFile>, raw::DomainsFile)>,
    pub modules: Vec<(Arc<SourceFile>, raw::ModuleRaw)>,
    pub events: Vec<(Arc<SourceFile>, raw::EventsFile)>,
    /// Module files that did not parse: what they declare is unknown, so references to it
    /// are not reported as unknown (the parse problem is the one to fix).
    pub unparsed_modules: Vec<Arc<SourceFile>>,
    /// Every file read, parsed or not, in load order (for `render --check` provenance).
    pub files: Vec<Arc<SourceFile>>,
}
