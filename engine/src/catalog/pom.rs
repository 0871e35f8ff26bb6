//! `pom.xml` (in progress).

use super::{Catalog, Cataloger};
use crate::tree::{Tree, file_name};

/// Reads `pom.xml`.
pub struct PomXml;

impl Cataloger for PomXml {
    fn name(&self) -> &'static str {
        "maven-pom"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "pom.xml"
    }

    fn catalog(&self, _rel: &str, _text: &str, _tree: &dyn Tree) -> Catalog {
        Catalog::default()
    }
}
