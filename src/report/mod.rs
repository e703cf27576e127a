//! What the command line prints: reports built from the library's results, as text or JSON.

pub mod pattern;
#[cfg(feature = "aws")]
pub mod run;
