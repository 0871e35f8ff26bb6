//! Gradle dependency lockfiles.
//!
//! Gradle ≥ 6 writes one `gradle.lockfile` per project (plus `buildscript-gradle.lockfile` and
//! `settings-gradle.lockfile` for the build's own classpath): `group:artifact:version=conf1,conf2`
//! lines, an `empty=conf,…` line naming configurations that resolved to nothing, and `#` comments.
//! Older Gradle wrote one `gradle/dependency-locks/<configuration>.lockfile` per configuration with
//! the same lines minus `=confs`.
//!
//! Scope from the configurations a module is locked in (the strongest one wins):
//! - a main compile or runtime classpath (`compileClasspath`, `runtimeClasspath`,
//!   `productionRuntimeClasspath`, `releaseRuntimeClasspath`, …) → Required;
//! - a configuration of a test source set (`testRuntimeClasspath`, `integrationTestCompileClasspath`,
//!   `testAnnotationProcessor`, …) → Test;
//! - anything else (`annotationProcessor`, `kapt`, `spotbugs`, `jacocoAnt`, `developmentOnly`, the
//!   buildscript `classpath`, …) is build tooling that is not shipped → Dev.
//!
//! Lockfiles record the resolved graph without saying which modules were declared: direct is unknown,
//! and there are no edges.

use super::{Catalog, Cataloger};
use crate::inventory::{Diagnostic, Ecosystem, Location, Package, Scope};
use crate::tree::{Tree, file_name, parent};

/// Reads `gradle.lockfile` and `gradle/dependency-locks/*.lockfile`.
pub struct GradleLockfile;

/// The scope a single configuration gives.
fn configuration_scope(conf: &str) -> Scope {
    let lower = conf.to_ascii_lowercase();
    if lower.contains("test") {
        return Scope::Test;
    }
    if lower.ends_with("compileclasspath") || lower.ends_with("runtimeclasspath") {
        return Scope::Required;
    }
    Scope::Dev
}

/// The strongest scope over a module's configurations (Required when none is named).
fn scope_of<'a>(confs: impl Iterator<Item = &'a str>) -> Scope {
    confs.map(configuration_scope).min().unwrap_or(Scope::Required)
}

/// The configuration a legacy per-configuration lockfile is for, when `rel` is one.
fn legacy_configuration(rel: &str) -> Option<&str> {
    let dir = parent(rel);
    if !(dir == "gradle/dependency-locks" || dir.ends_with("/gradle/dependency-locks")) {
        return None;
    }
    file_name(rel).strip_suffix(".lockfile").filter(|c| !c.is_empty())
}

impl Cataloger for GradleLockfile {
    fn name(&self) -> &'static str {
        "gradle-lockfile"
    }

    fn wants(&self, rel: &str) -> bool {
        matches!(
            file_name(rel),
            "gradle.lockfile" | "buildscript-gradle.lockfile" | "settings-gradle.lockfile"
        ) || legacy_configuration(rel).is_some()
    }

    fn catalog(&self, rel: &str, text: &str, _tree: &dyn Tree) -> Catalog {
        let legacy = legacy_configuration(rel);
        let mut out = Catalog::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let line_no = u32::try_from(i + 1).ok();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (coords, confs) = match line.split_once('=') {
                Some((c, confs)) => (c.trim(), Some(confs.trim())),
                None => (line, None),
            };
            if coords == "empty" && confs.is_some() {
                continue;
            }
            let parts: Vec<&str> = coords.split(':').collect();
            let &[group, artifact, version] = parts.as_slice() else {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    line_no,
                    format!(
                        "malformed lockfile line {line:?}: expected `group:artifact:version=configurations`"
                    ),
                ));
                continue;
            };
            if group.is_empty() || artifact.is_empty() || version.is_empty() {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    line_no,
                    format!("malformed lockfile line {line:?}: empty group, artifact or version"),
                ));
                continue;
            }
            let scope = match (confs, legacy) {
                (Some(confs), _) => scope_of(confs.split(',').map(str::trim).filter(|c| !c.is_empty())),
                (None, Some(conf)) => configuration_scope(conf),
                (None, None) => Scope::Required,
            };
            let pkg = Package::new(
                Ecosystem::Maven,
                format!("{group}:{artifact}"),
                version,
                Location::new(rel, line_no),
            )
            .map(|p| p.scope(scope));
            out.push(rel, pkg);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemTree;

    fn run(rel: &str, text: &str) -> Catalog {
        GradleLockfile.catalog(rel, text, &MemTree::new())
    }

    #[test]
    fn configurations_give_scopes() {
        let c = run(
            "svc/gradle.lockfile",
            "# This is a Gradle generated file for dependency locking.\r\n\
# Manual edits can break the build and are not advised.\r\n\
com.google.guava:guava:32.1.2-jre=compileClasspath,runtimeClasspath,testRuntimeClasspath\r\n\
org.junit.jupiter:junit-jupiter:5.10.0=testCompileClasspath,testRuntimeClasspath\r\n\
org.projectlombok:lombok:1.18.30=annotationProcessor,compileClasspath\r\n\
com.google.errorprone:error_prone_core:2.23.0=annotationProcessor\r\n\
com.github.spotbugs:spotbugs:4.8.0=spotbugs,testRuntimeClasspath\r\n\
org.mockito:mockito-core:5.0.0=integrationTestRuntimeClasspath\r\n\
org.postgresql:postgresql:42.6.0=productionRuntimeClasspath\r\n\
com.google.guava:guava:31.0-android=releaseRuntimeClasspath\r\n\
io.netty:netty-all:4.1.100.Final+local.1=compileClasspath\r\n\
empty=developmentOnly,spotbugsPlugins,testAnnotationProcessor\r\n",
        );
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(&str, &str, Scope, Option<u32>)> = c
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.scope, p.location.line))
            .collect();
        assert_eq!(
            got,
            [
                ("com.google.guava:guava", "32.1.2-jre", Scope::Required, Some(3)),
                ("org.junit.jupiter:junit-jupiter", "5.10.0", Scope::Test, Some(4)),
                ("org.projectlombok:lombok", "1.18.30", Scope::Required, Some(5)),
                ("com.google.errorprone:error_prone_core", "2.23.0", Scope::Dev, Some(6)),
                ("com.github.spotbugs:spotbugs", "4.8.0", Scope::Dev, Some(7)),
                ("org.mockito:mockito-core", "5.0.0", Scope::Test, Some(8)),
                ("org.postgresql:postgresql", "42.6.0", Scope::Required, Some(9)),
                ("com.google.guava:guava", "31.0-android", Scope::Required, Some(10)),
                ("io.netty:netty-all", "4.1.100.Final+local.1", Scope::Required, Some(11)),
            ]
        );
        assert_eq!(c.packages[0].purl, "pkg:maven/com.google.guava/guava@32.1.2-jre");
        assert_eq!(c.packages[8].purl, "pkg:maven/io.netty/netty-all@4.1.100.Final%2Blocal.1");
        assert!(c.packages.iter().all(|p| p.direct.is_none() && p.hashes.is_empty()));
        assert!(c.edges.is_empty());
    }

    #[test]
    fn legacy_per_configuration_files() {
        let rel = "gradle/dependency-locks/testRuntimeClasspath.lockfile";
        assert!(GradleLockfile.wants(rel));
        let c = run(rel, "# comment\njunit:junit:4.13.2\norg.hamcrest:hamcrest-core:1.3\n");
        assert_eq!(c.packages.len(), 2);
        assert!(c.packages.iter().all(|p| p.scope == Scope::Test));
        let c = run("x/gradle/dependency-locks/compileClasspath.lockfile", "a:b:1.0\n");
        assert_eq!(c.packages[0].scope, Scope::Required);
        let c = run("gradle/dependency-locks/buildscript-classpath.lockfile", "a:b:1.0\n");
        assert_eq!(c.packages[0].scope, Scope::Dev);
    }

    #[test]
    fn empty_truncated_and_malformed() {
        let c = run("gradle.lockfile", "");
        assert!(c.packages.is_empty() && c.diagnostics.is_empty());
        let c = run("gradle.lockfile", "empty=\n");
        assert!(c.packages.is_empty() && c.diagnostics.is_empty());
        // Cut mid-line: the partial coordinate is reported, the rest is kept.
        let c = run("gradle.lockfile", "a:b:1.0=compileClasspath\nc:d:2.0=runtimeClasspath\ne:f");
        assert_eq!(c.packages.len(), 2);
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(c.diagnostics[0].line, Some(3));
        let c = run("gradle.lockfile", "a:b:c:d=x\n:b:1=x\na:b:=x\na:b:1.0=\n");
        assert_eq!(c.diagnostics.len(), 3);
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.packages[0].scope, Scope::Required);
    }

    #[test]
    fn wants() {
        for yes in [
            "gradle.lockfile",
            "a/b/gradle.lockfile",
            "buildscript-gradle.lockfile",
            "gradle/dependency-locks/x.lockfile",
        ] {
            assert!(GradleLockfile.wants(yes), "{yes}");
        }
        for no in [
            "gradle.lockfile.bak",
            "dependency-locks/x.lockfile",
            "gradle/dependency-locks/.lockfile",
            "x.lockfile",
            "gradle/x.lockfile",
        ] {
            assert!(!GradleLockfile.wants(no), "{no}");
        }
    }
}
