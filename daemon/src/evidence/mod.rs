//! Evidence for a regulator or a customer, computed from stored data: the CRA checklist of a
//! version (`cra`), its technical file (`technical_file`) and its compliance report (`report`). Each view gathers its facts through the store, then judges them in a pure
//! function, so what a conclusion rests on is named in its evidence.

pub mod cra;
pub mod report;
pub mod technical_file;
