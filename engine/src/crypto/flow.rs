//! Flow within a file: a name bound once to a string literal (`ALGORITHM = "SHA256withECDSA"`,
//! `$method = 'aes-256-cbc'`, `const curve = "secp256r1"`) is replaced by that literal where the
//! file uses it, so the rules that read a literal at a call (`Signature.getInstance(ALGORITHM)`,
//! `openssl_encrypt($d, $method, …)`) see it. Only a statement of its own binds (a line that is
//! just the assignment), so text inside strings and conditions is never read as one. Scopes are not modelled: a name bound to two
//! different literals anywhere in the file is left alone.

use regex::Regex;
use std::collections::HashMap;
use std::sync::OnceLock;

fn binding_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    #[allow(clippy::unwrap_used)] // a constant pattern, exercised by every test of this module
    R.get_or_init(|| {
        Regex::new(
            r#"(?m)^[ \t]*(?:[\w<>\[\]]+[ \t]+)*\*?(\$?[A-Za-z_]\w*)[ \t]*(?::[ \t]*[\w.<>\[\]]+[ \t]*)?=[ \t]*(["'])([A-Za-z0-9@._/-]{2,60})["'][ \t]*[;,]?[ \t]*$"#,
        )
            .unwrap()
    })
}

/// `code` with every once-bound name replaced by its literal. Lines do not move: a literal has no
/// newline.
pub fn inline_constants(code: &str) -> String {
    let mut bound: HashMap<&str, Option<&str>> = HashMap::new();
    let mut sites = Vec::new();
    for caps in binding_re().captures_iter(code) {
        let (Some(all), Some(name), Some(value)) = (caps.get(0), caps.get(1), caps.get(3)) else { continue };
        // `x.name = "…"` sets a field, not a local; `a == "b"` never matches (a quote must follow).
        if all.start() > 0 && code.as_bytes().get(all.start() - 1) == Some(&b'.') {
            continue;
        }
        if name.as_str().trim_start_matches('$').len() < 3 {
            continue;
        }
        let entry = bound.entry(name.as_str()).or_insert(Some(value.as_str()));
        if *entry != Some(value.as_str()) {
            *entry = None;
        }
        sites.push(name.start());
    }
    let names: HashMap<&str, &str> = bound.into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
    if names.is_empty() {
        return code.to_owned();
    }
    static IDENT: OnceLock<Regex> = OnceLock::new();
    #[allow(clippy::unwrap_used)] // a constant pattern
    let ident = IDENT.get_or_init(|| Regex::new(r"\$?[A-Za-z_]\w*").unwrap());
    let bytes = code.as_bytes();
    let mut out = String::with_capacity(code.len());
    let mut last = 0;
    for m in ident.find_iter(code) {
        let Some(value) = names.get(m.as_str()) else { continue };
        let before = m.start().checked_sub(1).and_then(|i| bytes.get(i)).copied();
        let after = code[m.end()..].trim_start();
        let is_key = after.starts_with(':') && !after.starts_with("::");
        let is_binding = sites.contains(&m.start());
        if matches!(before, Some(b'.') | Some(b'"') | Some(b'\'')) || is_key || is_binding {
            continue;
        }
        out.push_str(&code[last..m.start()]);
        out.push('"');
        out.push_str(value);
        out.push('"');
        last = m.end();
    }
    out.push_str(&code[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_bound_names_are_inlined_and_rebound_ones_are_not() {
        let code = "private static final String ALGORITHM = \"SHA256withECDSA\";\nSignature.getInstance(ALGORITHM);\nmode = 'a';\nmode = 'b';\nf(mode)\n";
        let out = inline_constants(code);
        assert!(out.contains("getInstance(\"SHA256withECDSA\")"), "{out}");
        assert!(out.contains("f(mode)"), "{out}");
        assert_eq!(out.lines().count(), code.lines().count());
        let php = inline_constants("$method = 'aes-256-cbc';\nopenssl_encrypt($d, $method, $k);\n");
        assert!(php.contains("openssl_encrypt($d, \"aes-256-cbc\", $k)"), "{php}");
    }
}
