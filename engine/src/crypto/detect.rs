//! Runs a language's rule table over one source file and merges the matches into uses.

use super::names::{self, parse_spec};
use super::rules::{self, Ctx, Emit, Rule};
use super::{
    Algorithm, CryptoUse, Function, Language, Primitive, comments, flow, imports, lang, libraries, symbols,
};
use regex::{Captures, Regex};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A rule with its pattern compiled.
struct Compiled {
    re: Regex,
    emit: Emit,
    lib: rules::Lib,
}

fn compile(table: &[Rule]) -> Vec<Compiled> {
    rules::COMMON
        .iter()
        .chain(table)
        .filter_map(|(pat, emit, lib)| match Regex::new(pat) {
            Ok(re) => Some(Compiled { re, emit: *emit, lib }),
            Err(e) => {
                // A bad pattern is a bug in the table; the unit test compiles every one.
                tracing::error!(pattern = pat, error = %e, "crypto rule does not compile");
                None
            }
        })
        .collect()
}

fn table(lang: Language) -> &'static [Compiled] {
    macro_rules! cached {
        ($t:expr) => {{
            static C: OnceLock<Vec<Compiled>> = OnceLock::new();
            C.get_or_init(|| {
                // Observable, so a test can tell only the languages present were compiled.
                tracing::debug!(language = ?lang, "crypto rule table compiled");
                compile($t)
            })
            .as_slice()
        }};
    }
    match lang {
        Language::Python => cached!(rules::PYTHON),
        Language::Java => cached!(rules::JAVA),
        Language::Go => cached!(rules::GO),
        Language::JavaScript => cached!(rules::JAVASCRIPT),
        Language::Rust => cached!(rules::RUST),
        Language::C => cached!(rules::C),
        Language::CSharp => cached!(rules::CSHARP),
        Language::Php => cached!(rules::PHP),
        Language::Ruby => cached!(rules::RUBY),
    }
}

/// Compiles `lang`'s rule and API tables now, on the calling thread, so that its first file does
/// not wait for them.
pub fn prepare(lang: Language) {
    let _ = table(lang);
    super::symbols::prepare(lang);
}

/// String literals whose whole content may be a distinct algorithm name (JOSE, SSH, JCA).
fn literal_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        #[allow(clippy::unwrap_used)] // a constant pattern, exercised by every test
        Regex::new(r#"["'`]([A-Za-z0-9@._/-]{2,40})["'`]"#).unwrap()
    })
}

/// Finds the algorithms `text` (the file at `rel`) uses. Files of a language without a table give
/// nothing.
pub fn detect_file(rel: &str, text: &str) -> Vec<CryptoUse> {
    let Some(lang) = Language::of(rel) else { return Vec::new() };
    let code = flow::inline_constants(&comments::strip(text, lang));
    let line_starts: Vec<usize> =
        std::iter::once(0).chain(code.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_of = |offset: usize| -> u32 {
        let idx = line_starts.partition_point(|&s| s <= offset);
        u32::try_from(idx).unwrap_or(u32::MAX)
    };
    // Keyed by library too: the same algorithm through two libraries is two uses.
    let mut found: BTreeMap<(Algorithm, Option<&'static str>), Vec<u32>> = BTreeMap::new();
    for rule in table(lang) {
        let mut lib = None;
        for (n, caps) in rule.re.captures_iter(&code).enumerate() {
            if n == 0 {
                // Markers are looked up in the code without comments, once per rule.
                lib = libraries::resolve(rule.lib, &code);
            }
            let at = caps.get(0).map_or(0, |m| m.start());
            for alg in emit(&rule.emit, &caps) {
                found.entry((alg, lib)).or_default().push(line_of(at));
            }
        }
    }
    let (imports, body) = imports::read(lang, &code);
    for f in symbols::scan(lang, &body, &code, &imports) {
        found.entry((f.algorithm, f.library)).or_default().push(line_of(f.at));
    }
    for caps in literal_re().captures_iter(&code) {
        if let (Some(m), Some(lit)) = (caps.get(0), caps.get(1))
            && let Some(alg) = names::distinct(lit.as_str())
        {
            found.entry((alg, None)).or_default().push(line_of(m.start()));
        }
    }
    let in_test = lang::is_test_path(rel);
    drop_subsumed(&mut found);
    found
        .into_iter()
        .map(|((algorithm, lib), mut lines)| {
            lines.sort_unstable();
            lines.dedup();
            CryptoUse { algorithm, file: rel.to_owned(), lines, in_test, library: lib.map(str::to_owned) }
        })
        .collect()
}

/// Drops a use that says less than another at the same lines: `HMAC` where `HMAC with SHA-256`
/// was found at every one of its lines is the same call read twice.
fn drop_subsumed(found: &mut BTreeMap<(Algorithm, Option<&'static str>), Vec<u32>>) {
    let keys: Vec<(Algorithm, Option<&'static str>)> = found.keys().cloned().collect();
    let less = |a: &Option<String>, b: &Option<String>| a.is_none() || a == b;
    let subsumed: Vec<(Algorithm, Option<&'static str>)> = keys
        .iter()
        .filter(|(a, lib)| {
            let lines = &found[&(a.clone(), *lib)];
            keys.iter().any(|(b, blib)| {
                b != a
                    && (lib.is_none() || lib == blib)
                    && a.primitive == b.primitive
                    && a.function == b.function
                    && less(&a.family, &b.family)
                    && less(&a.parameter, &b.parameter)
                    && less(&a.hash, &b.hash)
                    && less(&a.mode, &b.mode)
                    && less(&a.padding, &b.padding)
                    && lines.iter().all(|l| found[&(b.clone(), *blib)].contains(l))
            })
        })
        .cloned()
        .collect();
    for k in subsumed {
        found.remove(&k);
    }
}

fn emit(emit: &Emit, caps: &Captures<'_>) -> Vec<Algorithm> {
    let p = caps.name("p").map(|m| m.as_str());
    match emit {
        Emit::Spec(spec) => fill(spec, p).into_iter().collect(),
        Emit::Name(ctx) => {
            caps.name("name").and_then(|n| in_context(n.as_str(), *ctx, p)).into_iter().collect()
        }
        Emit::List(ctx) => caps
            .name("name")
            .map(|n| n.as_str().split(',').filter_map(|s| in_context(s.trim(), *ctx, p)).collect())
            .unwrap_or_default(),
    }
}

/// Fills `{p}` / `{p|default}` in a spec and parses it.
pub(crate) fn fill(spec: &str, p: Option<&str>) -> Option<Algorithm> {
    let mut assumed = false;
    let mut words = Vec::new();
    for w in spec.split_whitespace() {
        let Some(open) = w.find("{p") else {
            words.push(w.to_owned());
            continue;
        };
        let close = w[open..].find('}').map_or(w.len(), |c| open + c);
        let default = w[open..close].split_once('|').map(|(_, d)| d);
        let value = match (p, default) {
            (Some(v), _) => normalise_param(v),
            (None, Some(d)) => {
                assumed = true;
                d.to_owned()
            }
            (None, None) => continue,
        };
        words.push(format!("{}{}{}", &w[..open], value, w.get(close + 1..).unwrap_or("")));
    }
    let mut alg = parse_spec(&words.join(" "))?;
    if alg.family.as_deref() == Some("?") {
        alg.family = None;
    }
    alg.assumed = assumed;
    Some(alg)
}

/// Reads a captured name at its call.
fn in_context(name: &str, ctx: Ctx, p: Option<&str>) -> Option<Algorithm> {
    let mut alg = names::at_call(name)?;
    match ctx {
        Ctx::Any => {}
        Ctx::Hmac if alg.primitive == Primitive::Hash => {
            alg = Algorithm { hash: Some(hash_name(&alg)), ..Algorithm::new(Primitive::Mac, "HMAC") };
        }
        Ctx::Hmac => {}
        Ctx::Sign if alg.primitive == Primitive::Hash => {
            alg = Algorithm {
                hash: Some(hash_name(&alg)),
                family: None,
                ..Algorithm::new(Primitive::Signature, "")
            };
        }
        Ctx::Sign => {}
        Ctx::Keygen => {
            alg.function = Function::Keygen;
            if let Some(p) = p {
                alg.parameter = Some(normalise_param(p));
            }
        }
    }
    Some(alg)
}

/// The display name of a hash algorithm: `SHA-256`, `SHA3-256`, `SHA-1`, `MD5`.
pub fn hash_name(alg: &Algorithm) -> String {
    match (alg.family.as_deref(), alg.parameter.as_deref()) {
        (Some("SHA-2"), Some(p)) => format!("SHA-{p}"),
        (Some("SHA-3"), Some(p)) => format!("SHA3-{p}"),
        (Some(f), _) => f.to_owned(),
        (None, _) => "unknown".to_owned(),
    }
}

/// One spelling per curve: `P-256` for `prime256v1`, `SECP256R1`, `P256`, `nistp256`.
pub fn normalise_param(v: &str) -> String {
    let lower = v.to_ascii_lowercase();
    let curve = |bits: &str| -> bool {
        [
            format!("p{bits}"),
            format!("secp{bits}r1"),
            format!("prime{bits}v1"),
            format!("nistp{bits}"),
            format!("p-{bits}"),
        ]
        .contains(&lower)
    };
    for bits in ["256", "384", "521", "224", "192"] {
        if curve(bits) {
            return format!("P-{bits}");
        }
    }
    match lower.as_str() {
        "secp256k1" => "secp256k1".to_owned(),
        "x25519" => "X25519".to_owned(),
        "x448" => "X448".to_owned(),
        "ed25519" => "Ed25519".to_owned(),
        "ed448" => "Ed448".to_owned(),
        _ => v.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles_and_every_fixed_spec_parses() {
        for t in [
            rules::PYTHON,
            rules::JAVA,
            rules::GO,
            rules::JAVASCRIPT,
            rules::RUST,
            rules::C,
            rules::CSHARP,
            rules::PHP,
            rules::RUBY,
            rules::COMMON,
        ] {
            for (pat, emit, _) in t {
                assert!(Regex::new(pat).is_ok(), "{pat}");
                if let Emit::Spec(s) = emit {
                    assert!(fill(s, Some("256")).is_some(), "{s}");
                }
            }
        }
    }

    #[test]
    fn literal_parameters_and_comments() {
        let src = "import hashlib\n# hashlib.md5()\nk = rsa.generate_private_key(65537, 1024)\nh = hashlib.sha256(b'x')\n";
        let uses = detect_file("tests/test_x.py", src);
        let names: Vec<String> = uses.iter().map(|u| u.algorithm.name()).collect();
        assert!(uses.iter().all(|u| u.in_test));
        assert!(!names.iter().any(|n| n.contains("MD5")), "{names:?}");
        let rsa = uses.iter().find(|u| u.algorithm.family.as_deref() == Some("RSA")).expect("rsa");
        assert_eq!((rsa.algorithm.parameter.as_deref(), rsa.lines.as_slice()), (Some("1024"), &[3][..]));
        assert!(uses.iter().any(|u| u.algorithm.family.as_deref() == Some("SHA-2") && u.lines == [4]));
    }

    fn names_in(rel: &str, src: &str) -> Vec<String> {
        let mut names: Vec<String> = detect_file(rel, src).iter().map(|u| u.algorithm.name()).collect();
        names.sort();
        names
    }

    #[test]
    fn csharp_php_ruby() {
        let cs = names_in(
            "Crypto.cs",
            "// MD5.Create()\nvar h = SHA256.Create();\nusing var r = RSA.Create(1024);\nvar e = ECDsa.Create(ECCurve.NamedCurves.nistP384);\nvar m = new HMACSHA1(key);\n",
        );
        assert_eq!(cs, ["ECDSA-P-384", "HMAC with SHA-1", "RSA-1024", "SHA-2-256"], "{cs:?}");
        let php = names_in(
            "a.php",
            "<?php # md5($x)\n$h = hash('sha256', $x);\n$c = openssl_encrypt($d, 'aes-128-cbc', $k);\n$s = hash_hmac('sha512', $m, $k);\n",
        );
        assert_eq!(php, ["AES-128-CBC", "HMAC with SHA-512", "SHA-2-256"], "{php:?}");
        let rb = names_in(
            "lib/a.rb",
            "# Digest::MD5\nd = Digest::SHA1.hexdigest(x)\nc = OpenSSL::Cipher.new('aes-256-gcm')\nk = OpenSSL::PKey::RSA.new(2048)\n",
        );
        assert_eq!(rb, ["AES-256-GCM", "RSA-2048 (key generation)", "SHA-1"], "{rb:?}");
    }

    #[test]
    fn bouncy_castle_behind_its_import() {
        let src = "import org.bouncycastle.crypto.digests.SHA256Digest;\nDigest d = new SHA256Digest();\nSigner s = new Ed25519Signer();\nMac m = new HMac(new SHA512Digest());\n";
        let uses = detect_file("src/Bc.java", src);
        let mut got: Vec<(String, Option<&str>)> =
            uses.iter().map(|u| (u.algorithm.name(), u.library.as_deref())).collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("EdDSA-Ed25519".to_owned(), Some("bouncycastle")),
                ("HMAC with SHA-512".to_owned(), Some("bouncycastle")),
                ("SHA-2-256".to_owned(), Some("bouncycastle")),
                ("SHA-2-512".to_owned(), Some("bouncycastle")),
            ]
        );
        // Without the import the same call is counted but not attributed.
        let bare = detect_file("src/Bc.java", "Signer s = new Ed25519Signer();\n");
        assert_eq!((bare.len(), bare[0].library.as_deref()), (1, None));
    }

    #[test]
    fn jca_transformation_and_keygen_size() {
        let src = "Cipher c = Cipher.getInstance(\"AES/CBC/PKCS5Padding\");\nKeyPairGenerator g = KeyPairGenerator.getInstance(\"RSA\");\ng.initialize(1024);\n";
        let uses = detect_file("src/A.java", src);
        let aes = uses.iter().find(|u| u.algorithm.family.as_deref() == Some("AES")).expect("aes");
        assert_eq!(
            (aes.algorithm.mode.as_deref(), aes.algorithm.padding.as_deref()),
            (Some("CBC"), Some("PKCS5"))
        );
        let rsa = uses.iter().find(|u| u.algorithm.function == Function::Keygen).expect("keygen");
        assert_eq!(rsa.algorithm.parameter.as_deref(), Some("1024"));
    }
}
