//! TLS versions and cipher suites from configuration: nginx `ssl_protocols` / `ssl_ciphers`, Apache
//! `SSLProtocol` / `SSLCipherSuite`, Go `tls.Config` versions, Java `SSLContext.getInstance`,
//! Python `ssl.PROTOCOL_*` and `ssl.TLSVersion`.

use super::{Language, comments};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// One protocol setting found in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CryptoProtocol {
    /// Path relative to the scan root.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// `tls` or `ssl`.
    pub kind: String,
    /// Version: `1.0`, `1.2`, `3` (SSLv3); `None` when only suites are configured.
    pub version: Option<String>,
    /// Cipher suites or OpenSSL cipher strings as written.
    pub cipher_suites: Vec<String>,
    /// SSL, or TLS below 1.2.
    pub weak: bool,
}

/// Server configuration files read for TLS settings.
pub fn wanted(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.ends_with(".conf") || name == ".htaccess"
}

type Table = Vec<(Regex, &'static str)>;

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        [
            (r"(?m)^\s*ssl_protocols\s+(?P<list>[^;]+);", "list"),
            (r"(?m)^\s*SSLProtocol\s+(?P<list>.+)$", "apache"),
            (r#"(?m)^\s*ssl_ciphers\s+['"]?(?P<suites>[^;'"]+)['"]?\s*;"#, "suites"),
            (r#"(?m)^\s*SSLCipherSuite\s+['"]?(?P<suites>[^'"\n]+)"#, "suites"),
            (r"\b(?:Min|Max)Version\s*[:=]\s*tls\.Version(?P<v>TLS1[0-3]|SSL30)\b", "v"),
            (r#"\bSSLContext\.getInstance\(\s*"(?P<v>TLSv1(?:\.[0-3])?|SSLv3|TLS|SSL)""#, "v"),
            (r"\bssl\.PROTOCOL_(?P<v>TLSv1(?:_[12])?|SSLv23|SSLv3|SSLv2)\b", "v"),
            (r"\bssl\.TLSVersion\.(?P<v>TLSv1(?:_[0-3])?|SSLv3)\b", "v"),
        ]
        .into_iter()
        .filter_map(|(p, k)| Regex::new(p).ok().map(|r| (r, k)))
        .collect()
    })
}

/// `TLSv1.2`, `TLS12`, `TLSv1_2`, `SSLv3` → (`tls`, `1.2`) / (`ssl`, `3`); `None` for generic names.
fn version(word: &str) -> Option<(&'static str, String)> {
    let w = word.trim_start_matches(['+', '-']).to_ascii_uppercase().replace(['V', '_', '.'], "");
    Some(match w.as_str() {
        "TLS1" | "TLS10" => ("tls", "1.0".into()),
        "TLS11" => ("tls", "1.1".into()),
        "TLS12" => ("tls", "1.2".into()),
        "TLS13" => ("tls", "1.3".into()),
        "SSL3" | "SSL30" => ("ssl", "3".into()),
        "SSL2" => ("ssl", "2".into()),
        // SSLv23 negotiates the highest both sides support, down to SSLv3 on old builds.
        "SSL23" => ("ssl", "2/3".into()),
        _ => return None,
    })
}

fn entry(file: &str, line: u32, kind: &str, version: Option<String>, suites: Vec<String>) -> CryptoProtocol {
    let weak = kind == "ssl" || matches!(version.as_deref(), Some("1.0" | "1.1"));
    CryptoProtocol {
        file: file.to_owned(),
        line,
        kind: kind.to_owned(),
        version,
        cipher_suites: suites,
        weak,
    }
}

/// Finds TLS settings in `text` (the file at `rel`); source files are read without comments.
pub fn find_protocols(rel: &str, text: &str) -> Vec<CryptoProtocol> {
    let code = match Language::of(rel) {
        Some(lang) => comments::strip(text, lang),
        None if wanted(rel) => text
            .lines()
            .map(|l| if l.trim_start().starts_with('#') { "" } else { l })
            .collect::<Vec<_>>()
            .join("\n"),
        None => return Vec::new(),
    };
    let line_of = |at: usize| u32::try_from(code[..at].matches('\n').count() + 1).unwrap_or(u32::MAX);
    let mut out = Vec::new();
    for (re, kind) in table() {
        for caps in re.captures_iter(&code) {
            let line = line_of(caps.get(0).map_or(0, |m| m.start()));
            match *kind {
                "list" | "apache" => {
                    let list = caps.name("list").map_or("", |m| m.as_str());
                    for w in list.split_whitespace() {
                        // Apache: `-TLSv1` removes a version; `all` is left unexpanded.
                        if w.starts_with('-') {
                            continue;
                        }
                        if let Some((k, v)) = version(w) {
                            out.push(entry(rel, line, k, Some(v), Vec::new()));
                        }
                    }
                }
                "suites" => {
                    let suites = caps.name("suites").map_or("", |m| m.as_str());
                    let list =
                        suites.split(':').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                    out.push(entry(rel, line, "tls", None, list));
                }
                _ => {
                    if let Some((k, v)) = caps.name("v").and_then(|m| version(m.as_str())) {
                        out.push(entry(rel, line, k, Some(v), Vec::new()));
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_apache_and_code() {
        let n = find_protocols(
            "etc/nginx.conf",
            "# ssl_protocols SSLv3;\nserver {\n  ssl_protocols TLSv1 TLSv1.2;\n  ssl_ciphers 'ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA';\n}\n",
        );
        let v: Vec<_> = n.iter().map(|p| (p.line, p.version.clone(), p.weak)).collect();
        assert_eq!(v, [(3, Some("1.0".into()), true), (3, Some("1.2".into()), false), (4, None, false)]);
        assert_eq!(n[2].cipher_suites, ["ECDHE-RSA-AES128-GCM-SHA256", "AES256-SHA"]);
        let a = find_protocols("httpd.conf", "SSLProtocol all -SSLv3 -TLSv1 +TLSv1.3\n");
        assert_eq!(a.iter().map(|p| p.version.clone()).collect::<Vec<_>>(), [Some("1.3".to_string())]);
        let go = find_protocols(
            "srv.go",
            "cfg := &tls.Config{MinVersion: tls.VersionTLS10}\n// MinVersion: tls.VersionTLS13\n",
        );
        assert_eq!((go.len(), go[0].version.as_deref(), go[0].weak), (1, Some("1.0"), true));
        let java = find_protocols("A.java", "SSLContext c = SSLContext.getInstance(\"TLSv1\");\n");
        assert_eq!(java[0].version.as_deref(), Some("1.0"));
        let py = find_protocols("a.py", "ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)\n");
        assert_eq!(py[0].version.as_deref(), Some("1.2"));
    }
}
