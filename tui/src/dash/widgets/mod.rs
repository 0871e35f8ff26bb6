//! Reusable pieces: a selectable, filterable, multi-select list drawn as a table of only its
//! visible rows; a one-line text input; a dependency tree flattened for that list; findings over
//! time as a sparkline and a bar chart.

pub mod chart;
pub mod input;
pub mod list;
pub mod tree;
