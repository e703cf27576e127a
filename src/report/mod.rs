//! What the command line prints: reports built from the library's results, as text or JSON.

pub mod controls;
pub mod pattern;
pub mod run;
