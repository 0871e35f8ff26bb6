//! Reusable pieces: a selectable, filterable, multi-select list drawn as a table of only its
//! visible rows; a one-line text input; a dependency tree flattened for that list.

pub mod input;
pub mod list;
pub mod tree;
