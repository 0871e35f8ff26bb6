//! Evidence for a regulator or a customer, computed from stored data: the CRA checklist of a
//! version (`cra`), its technical file (`technical_file`), its compliance report (`report`), and
//! the tenant's controls of frameworks (`controls`, over the built-in `catalogue`). Each view
//! gathers its facts through the store, then judges them in a pure function, so what a conclusion
//! rests on is named in its evidence.

pub mod catalogue;
pub mod controls;
pub mod cra;
pub mod report;
pub mod sla;
pub mod technical_file;
