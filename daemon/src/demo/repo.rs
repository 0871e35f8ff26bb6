//! Which repositories the demo scans: `https://github.com/OWNER/REPO` and nothing else (no other
//! host, scheme, port, credentials, query, fragment or deeper path), brought to one spelling so
//! the cache and the limit see one repository however it was written.

/// The one host the demo scans in production.
pub const GITHUB: &str = "https://github.com";

/// A repository the demo may scan, in its normal spelling (`BASE/owner/repo`, lowercase owner
/// and name, no `.git`, no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRepo(String);

/// Why a URL is not a demo repository.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    /// Another host, scheme or form.
    #[error("only public GitHub repositories: {base}/OWNER/REPO")]
    NotGithub {
        /// The base that was expected.
        base: String,
    },
    /// The owner or the repository name has characters GitHub does not allow.
    #[error("{0}: letters, digits, '-', '_' and '.' only")]
    BadName(&'static str),
}

/// GitHub's owner and repository names: ASCII letters, digits, `-`, `_`, `.`; not `.` or `..`.
fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl DemoRepo {
    /// Accepts `BASE/owner/repo[.git][/]`, where BASE is `https://github.com` unless a test base
    /// is configured (`[cbom_demo] test_repo_base`).
    pub fn parse(url: &str, test_base: Option<&str>) -> Result<Self, RepoError> {
        let base = test_base.unwrap_or(GITHUB).trim_end_matches('/');
        let not_github = || RepoError::NotGithub { base: base.to_owned() };
        // GitHub's host is case-insensitive; the scheme and the rest are compared as written.
        let rest = if test_base.is_none() {
            let lower = url.get(..base.len()).map(str::to_ascii_lowercase);
            if lower.as_deref() != Some(base) {
                return Err(not_github());
            }
            &url[base.len()..]
        } else {
            url.strip_prefix(base).ok_or_else(not_github)?
        };
        let path = rest.strip_prefix('/').ok_or_else(not_github)?;
        let path = path.strip_suffix('/').unwrap_or(path);
        let mut parts = path.split('/');
        let (Some(owner), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(not_github());
        };
        let name = name.strip_suffix(".git").unwrap_or(name);
        if !valid_name(owner) {
            return Err(RepoError::BadName("owner"));
        }
        if !valid_name(name) {
            return Err(RepoError::BadName("repository"));
        }
        Ok(DemoRepo(format!("{base}/{}/{}", owner.to_ascii_lowercase(), name.to_ascii_lowercase())))
    }

    /// The normal spelling: what is cloned, cached and stored.
    pub fn url(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_repositories_in_one_spelling() {
        for url in [
            "https://github.com/Rust-Lang/Cargo",
            "https://github.com/rust-lang/cargo.git",
            "https://github.com/rust-lang/cargo/",
            "https://GitHub.com/rust-lang/cargo",
        ] {
            assert_eq!(
                DemoRepo::parse(url, None).map(|r| r.url().to_owned()),
                Ok("https://github.com/rust-lang/cargo".to_owned()),
                "{url}"
            );
        }
    }

    #[test]
    fn nothing_but_github() {
        for url in [
            "http://github.com/a/b",
            "https://github.com.evil.test/a/b",
            "https://github.com@evil.test/a/b",
            "https://user:pw@github.com/a/b",
            "https://github.com:8443/a/b",
            "https://gitlab.com/a/b",
            "git@github.com:a/b.git",
            "ssh://git@github.com/a/b",
            "https://github.com/a",
            "https://github.com/a/b/tree/main",
            "https://github.com/a/b?x=1",
            "https://github.com/a/b#x",
            "https://github.com/../b",
            "https://github.com//b",
            "file:///srv/a/b",
            "https://github.com/a/b c",
        ] {
            assert!(DemoRepo::parse(url, None).is_err(), "{url} accepted");
        }
    }

    #[test]
    fn a_test_base_replaces_github_and_only_it() {
        let base = Some("file:///tmp/fake-github");
        assert_eq!(
            DemoRepo::parse("file:///tmp/fake-github/o/r.git", base).map(|r| r.url().to_owned()),
            Ok("file:///tmp/fake-github/o/r".to_owned())
        );
        assert!(DemoRepo::parse("https://github.com/o/r", base).is_err());
        assert!(DemoRepo::parse("file:///tmp/fake-github-other/o/r", base).is_err());
    }
}
