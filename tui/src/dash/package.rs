//! A package as screens name it: `name@version` from its purl (`pkg:cargo/regex@1.10.2` reads
//! `regex@1.10.2`), so the name, not the purl's scheme and type, takes a narrow column.

use std::str::FromStr;

use packageurl::PackageUrl;

/// `name@version` of `purl`, with its namespace where the ecosystem names packages by it
/// (`@types/node`, `github.com/x/y`, `org.slf4j:slf4j-api`); the purl itself when it does not
/// parse (a screen shows what it has rather than nothing).
pub fn label(purl: &str) -> String {
    let Ok(p) = PackageUrl::from_str(purl) else { return purl.to_owned() };
    let name = match p.namespace() {
        Some(ns) if p.ty() == "maven" => format!("{ns}:{}", p.name()),
        Some(ns) => format!("{ns}/{}", p.name()),
        None => p.name().to_owned(),
    };
    match p.version() {
        Some(v) => format!("{name}@{v}"),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn names_packages_by_name_and_version() {
        assert_eq!(label("pkg:cargo/regex@1.10.2"), "regex@1.10.2");
        assert_eq!(label("pkg:npm/%40types/node@20.1.0"), "@types/node@20.1.0");
        assert_eq!(label("pkg:maven/org.slf4j/slf4j-api@2.0.9"), "org.slf4j:slf4j-api@2.0.9");
        assert_eq!(label("pkg:golang/github.com/gin-gonic/gin@v1.9.1"), "github.com/gin-gonic/gin@v1.9.1");
        assert_eq!(label("pkg:pypi/werkzeug"), "werkzeug");
        assert_eq!(label("not a purl"), "not a purl");
    }
}
