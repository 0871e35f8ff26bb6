//! The rule tables, one per language, plus rules shared by all. A rule is a regular expression and
//! what a match means; the engine in [`super::detect`] runs them all the same way.
//!
//! What a match means ([`Emit`]):
//! - `Spec("…")`: a fixed algorithm in the [`super::names`] spec language. `{p}` is replaced by the
//!   rule's `p` group (a literal key size or curve); `{p|2048}` falls back to the default when the
//!   call has no literal, and marks the parameter assumed. A `{p}` with no `p` drops that field.
//!   Family `?` means the call names no algorithm (`Signature.getInstance(alg)`).
//! - `Name(ctx)`: the `name` group is an algorithm name looked up in the name table, then read in
//!   the call's context (`createHmac("sha256")` is HMAC-SHA-256, not SHA-256).
//! - `List(ctx)`: the `name` group is a comma-separated list of names (`from hashlib import a, b`).
//!
//! Who provides it ([`Lib`]): the library family (an id of [`super::libraries::FAMILIES`]) whose
//! API the rule matches, so the CBOM can say which inventory library `provides` the algorithm.
//! `""` is the language's runtime (Go `crypto/*`, JCA, `node:crypto`, `hashlib`, .NET, PHP and Ruby
//! standard extensions): not an inventory library, left unattributed. `"marker=>family"` attributes
//! only when the file contains `marker` (its import), and `a=>x|b=>y` tries each in turn, so an API
//! two libraries share (ring and aws-lc-rs; OpenSSL and BoringSSL in Rust) is never guessed.

/// How a captured name is read at its call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// As named.
    Any,
    /// The name is a digest used in an HMAC.
    Hmac,
    /// The name is a digest (or signature name) used in a signature.
    Sign,
    /// The name is a key type being generated; the `p` group, if any, is its size or curve.
    Keygen,
}

/// What a rule's match stands for.
#[derive(Debug, Clone, Copy)]
pub enum Emit {
    /// A fixed algorithm spec.
    Spec(&'static str),
    /// A name captured in group `name`.
    Name(Ctx),
    /// A list of names captured in group `name`.
    List(Ctx),
}

/// The library family that provides a rule's algorithm: `""`, `family`, or `marker=>family|…`.
pub type Lib = &'static str;

/// One rule: a pattern, its meaning and the library whose API it is.
pub type Rule = (&'static str, Emit, Lib);

use Emit::{List, Name, Spec};

/// Rules for every language: algorithm names assigned to settings named like an algorithm.
pub const COMMON: &[Rule] = &[(
    r#"(?i)\b\w*(?:algo|algorithm|cipher|digest)\w*\s*[:=]\s*['"](?P<name>[A-Za-z0-9_/-]{2,40})['"]"#,
    Name(Ctx::Any),
    "",
)];

/// Python: hashlib, hmac, pyca/cryptography, pycryptodome, PyNaCl.
pub const PYTHON: &[Rule] = &[
    (
        r"\bhashlib\.(?P<name>md5|sha1|sha224|sha256|sha384|sha512|sha3_256|sha3_384|sha3_512)\b",
        Name(Ctx::Any),
        "",
    ),
    (r#"\bhashlib\.new\(\s*['"](?P<name>[\w-]+)['"]"#, Name(Ctx::Any), ""),
    (r"(?m)^\s*from\s+hashlib\s+import\s+(?P<name>[\w, ]+)", List(Ctx::Any), ""),
    (r"\bhmac\.new\(", Spec("mac HMAC"), ""),
    (r"\bhmac\.digest\(", Spec("mac HMAC"), ""),
    (r"\bpadding\.PKCS1v15\(", Spec("signature RSASSA-PKCS1"), "cryptography=>pyca-cryptography"),
    (r"\bpadding\.PSS\(", Spec("signature RSASSA-PSS"), "cryptography=>pyca-cryptography"),
    (r"\bpadding\.OAEP\(", Spec("pke RSAES-OAEP"), "cryptography=>pyca-cryptography"),
    (
        r"\brsa\.generate_private_key\((?:\s*(?:public_exponent\s*=\s*)?\d+\s*,\s*(?:key_size\s*=\s*)?(?P<p>\d+))?",
        Spec("pke RSA param={p} keygen"),
        "cryptography=>pyca-cryptography",
    ),
    (
        r"\bec\.generate_private_key\((?:\s*(?:curve\s*=\s*)?ec\.(?P<p>SECP\d+[RK]1)\b)?",
        Spec("signature EC param={p} keygen"),
        "cryptography=>pyca-cryptography",
    ),
    (
        r"\bec\.(?P<p>SECP(?:256|384|521)R1|SECP256K1)\b",
        Spec("signature EC param={p}"),
        "cryptography=>pyca-cryptography",
    ),
    (r"\bec\.ECDSA\(", Spec("signature ECDSA"), "cryptography=>pyca-cryptography"),
    (r"\bec\.ECDH\(", Spec("key-agree ECDH"), "cryptography=>pyca-cryptography"),
    (r"\bEd25519Private(?:Key)?\b", Spec("signature EdDSA param=Ed25519"), "cryptography=>pyca-cryptography"),
    (r"\bEd448Private(?:Key)?\b", Spec("signature EdDSA param=Ed448"), "cryptography=>pyca-cryptography"),
    (r"\bX25519PrivateKey\b", Spec("key-agree ECDH param=X25519"), "cryptography=>pyca-cryptography"),
    (r"\bX448PrivateKey\b", Spec("key-agree ECDH param=X448"), "cryptography=>pyca-cryptography"),
    (r"\bdh\.generate_parameters\(", Spec("key-agree FFDH keygen"), "cryptography=>pyca-cryptography"),
    (r"\balgorithms\.AES\(", Spec("block-cipher AES"), "cryptography=>pyca-cryptography"),
    (r"\balgorithms\.TripleDES\(", Spec("block-cipher 3DES"), "cryptography=>pyca-cryptography"),
    (r"\balgorithms\.ChaCha20\(", Spec("stream-cipher ChaCha20"), "cryptography=>pyca-cryptography"),
    (r"\bAESGCM\(", Spec("ae AES mode=GCM"), "cryptography=>pyca-cryptography"),
    (r"\bChaCha20Poly1305\(", Spec("ae ChaCha20-Poly1305"), "cryptography=>pyca-cryptography"),
    (r"\bPBKDF2HMAC\(", Spec("kdf PBKDF2"), "cryptography=>pyca-cryptography"),
    (r"\bhashlib\.pbkdf2_hmac\(\s*['\x22](?P<name>\w+)['\x22]", Spec("kdf PBKDF2"), ""),
    (r"\bHKDF\(", Spec("kdf HKDF"), "cryptography=>pyca-cryptography"),
    (r"\bAES\.new\(", Spec("block-cipher AES"), "Cryptodome.=>pycryptodomex|Crypto.=>pycryptodome"),
    (r"\bnacl\.signing\.SigningKey\b", Spec("signature EdDSA param=Ed25519"), "pynacl"),
    (r"\bnacl\.secret\.SecretBox\b", Spec("ae XSalsa20-Poly1305"), "pynacl"),
];

/// Java and Kotlin: JCA/JCE `getInstance`, with the standard name or transformation parsed; Bouncy
/// Castle's lightweight API.
pub const JAVA: &[Rule] = &[
    (
        r#"\b(?:Cipher|Signature|MessageDigest|Mac|KeyAgreement|KeyGenerator|SecretKeyFactory)\.getInstance\(\s*"(?P<name>[^"]+)""#,
        Name(Ctx::Any),
        "",
    ),
    (
        r#"\bKeyPairGenerator\.getInstance\(\s*"(?P<name>[^"]+)"(?:[^;]*;\s*\w+\.initialize\(\s*(?P<p>\d+))?"#,
        Name(Ctx::Keygen),
        "",
    ),
    (r#"\bSignature\.getInstance\(\s*[^"\s)]"#, Spec("signature ?"), ""),
    (r#"\bMac\.getInstance\(\s*[^"\s)]"#, Spec("mac ?"), ""),
    (r#"\bCipher\.getInstance\(\s*[^"\s)]"#, Spec("block-cipher ?"), ""),
    (r#"\bMessageDigest\.getInstance\(\s*[^"\s)]"#, Spec("hash ?"), ""),
    (r#"\bSecretKeyFactory\.getInstance\(\s*[^"\s)]"#, Spec("kdf ?"), ""),
    (r"\bnew\s+PSSParameterSpec\(", Spec("signature RSASSA-PSS"), ""),
    (r"\bnew\s+ECGenParameterSpec\(\s*\x22(?P<p>[\w-]+)\x22", Spec("signature EC param={p}"), ""),
    // Bouncy Castle's lightweight API (attributed only where the file imports org.bouncycastle).
    (r"\bnew\s+(?P<name>MD5|SHA1|SHA224|SHA256|SHA384|SHA512)Digest\(", Name(Ctx::Any), BC),
    (r"\bnew\s+SHA3Digest\(\s*(?P<p>224|256|384|512)?", Spec("hash SHA-3 param={p|256}"), BC),
    (r"\bnew\s+HMac\(\s*new\s+(?P<name>MD5|SHA1|SHA224|SHA256|SHA384|SHA512)Digest\(", Name(Ctx::Hmac), BC),
    (r"\b(?:new\s+AESEngine\(|AESEngine\.newInstance\()", Spec("block-cipher AES"), BC),
    (r"\bnew\s+DESedeEngine\(", Spec("block-cipher 3DES"), BC),
    (r"\bnew\s+RSAEngine\(", Spec("pke RSA"), BC),
    (r"\bnew\s+OAEPEncoding\(", Spec("pke RSAES-OAEP"), BC),
    (r"\bnew\s+RSADigestSigner\(", Spec("signature RSASSA-PKCS1"), BC),
    (r"\bnew\s+PSSSigner\(", Spec("signature RSASSA-PSS"), BC),
    (r"\bnew\s+ECDSASigner\(", Spec("signature ECDSA"), BC),
    (r"\bnew\s+Ed25519Signer\(", Spec("signature EdDSA param=Ed25519"), BC),
    (r"\bnew\s+Ed448Signer\(", Spec("signature EdDSA param=Ed448"), BC),
    (r"\bnew\s+X25519Agreement\(", Spec("key-agree ECDH param=X25519"), BC),
    (r"\bnew\s+ChaCha20Poly1305\(", Spec("ae ChaCha20-Poly1305"), BC),
    (r"\bnew\s+PKCS5S2ParametersGenerator\(", Spec("kdf PBKDF2"), BC),
    (r"\bnew\s+HKDFBytesGenerator\(", Spec("kdf HKDF"), BC),
    (r"\bMLKEMParameters\.ml_kem_(?P<p>512|768|1024)\b", Spec("kem ML-KEM param={p}"), BC),
    (r"\bMLDSAParameters\.ml_dsa_(?P<p>44|65|87)\b", Spec("signature ML-DSA param={p}"), BC),
    // JOSE algorithms named by library constants rather than strings (Nimbus, JJWT).
    (
        r"\bJWSAlgorithm\.(?P<name>(?:HS|RS|PS|ES)(?:256|384|512)|ES256K|EdDSA|Ed25519)\b",
        Name(Ctx::Any),
        "com.nimbusds=>nimbus-jose-jwt",
    ),
    (
        r"\b(?:SignatureAlgorithm|Jwts\.SIG)\.(?P<name>(?:HS|RS|PS|ES)(?:256|384|512))\b",
        Name(Ctx::Any),
        "io.jsonwebtoken=>jjwt",
    ),
    // A mode wrapping an engine: the constructor says both (`new GCMBlockCipher(new AESEngine())`).
    (
        r"\b(?:new\s+(?:[\w.]+\.)?GCMBlockCipher\(|GCMBlockCipher\.newInstance\()\s*(?:new\s+AES(?:Fast|Light)?Engine\(|AESEngine\.newInstance\()",
        Spec("ae AES mode=GCM"),
        BC,
    ),
];

/// Bouncy Castle, behind its import.
const BC: Lib = "org.bouncycastle=>bouncycastle";

/// Go: the standard library's crypto packages and x/crypto.
pub const GO: &[Rule] = &[
    (r"\bmd5\.(?:New|Sum)\b", Spec("hash MD5"), ""),
    (r"\bsha1\.(?:New|Sum)\b", Spec("hash SHA-1"), ""),
    (r"\bsha256\.(?:New|Sum256)\b", Spec("hash SHA-2 param=256"), ""),
    (r"\bsha256\.(?:New224|Sum224)\b", Spec("hash SHA-2 param=224"), ""),
    (r"\bsha512\.(?:New|Sum512)\b", Spec("hash SHA-2 param=512"), ""),
    (r"\bsha512\.(?:New384|Sum384)\b", Spec("hash SHA-2 param=384"), ""),
    (
        r"\bsha3\.(?:New|Sum)(?P<p>256|384|512)\b",
        Spec("hash SHA-3 param={p}"),
        "golang.org/x/crypto/sha3=>golang-x-crypto",
    ),
    (
        r"\bcrypto\.(?P<name>MD5|SHA1|SHA224|SHA256|SHA384|SHA512|SHA3_256|SHA3_384|SHA3_512)\b",
        Name(Ctx::Any),
        "",
    ),
    (r"\bhmac\.New\(", Spec("mac HMAC"), ""),
    (r"\brsa\.(?:SignPKCS1v15|VerifyPKCS1v15)\b", Spec("signature RSASSA-PKCS1"), ""),
    (r"\brsa\.(?:SignPSS|VerifyPSS)\b", Spec("signature RSASSA-PSS"), ""),
    (r"\brsa\.(?:EncryptOAEP|DecryptOAEP)\b", Spec("pke RSAES-OAEP"), ""),
    (r"\brsa\.(?:EncryptPKCS1v15|DecryptPKCS1v15)\b", Spec("pke RSAES-PKCS1"), ""),
    (r"\brsa\.GenerateKey\(\s*[\w.]+\s*,\s*(?P<p>\d+)?", Spec("pke RSA param={p} keygen"), ""),
    (r"\becdsa\.(?:Sign|Verify|SignASN1|VerifyASN1)\b", Spec("signature ECDSA"), ""),
    (
        r"\becdsa\.GenerateKey\(\s*(?:elliptic\.(?P<p>P\d+)\(\))?",
        Spec("signature ECDSA param={p} keygen"),
        "",
    ),
    (
        r"\bed25519\.(?:Sign|Verify)\b",
        Spec("signature EdDSA param=Ed25519"),
        "golang.org/x/crypto/ed25519=>golang-x-crypto",
    ),
    (
        r"\bed25519\.GenerateKey\b",
        Spec("signature EdDSA param=Ed25519 keygen"),
        "golang.org/x/crypto/ed25519=>golang-x-crypto",
    ),
    (r"\becdh\.(?P<p>X25519|P256|P384|P521)\(\)", Spec("key-agree ECDH param={p}"), ""),
    (
        r"\bcurve25519\.X25519\b",
        Spec("key-agree ECDH param=X25519"),
        "golang.org/x/crypto/curve25519=>golang-x-crypto",
    ),
    (r"\bmlkem\.GenerateKey(?P<p>768|1024)\b", Spec("kem ML-KEM param={p} keygen"), ""),
    (r"\baes\.NewCipher\b", Spec("block-cipher AES"), ""),
    (r"\bdes\.NewTripleDESCipher\b", Spec("block-cipher 3DES"), ""),
    (r"\bdes\.NewCipher\b", Spec("block-cipher DES"), ""),
    (r"\brc4\.NewCipher\b", Spec("stream-cipher RC4"), ""),
    (r"\bcipher\.NewGCM\b", Spec("ae AES mode=GCM"), ""),
    (r"\bcipher\.NewCBC(?:En|De)crypter\b", Spec("block-cipher AES mode=CBC"), ""),
    (
        r"\bchacha20poly1305\.NewX?\b",
        Spec("ae ChaCha20-Poly1305"),
        "golang.org/x/crypto/chacha20poly1305=>golang-x-crypto",
    ),
    (r"\bpbkdf2\.Key\b", Spec("kdf PBKDF2"), "golang.org/x/crypto/pbkdf2=>golang-x-crypto"),
    (r"\bhkdf\.(?:New|Extract|Expand)\b", Spec("kdf HKDF"), "golang.org/x/crypto/hkdf=>golang-x-crypto"),
];

/// JavaScript and TypeScript: node:crypto, WebCrypto, node-forge.
pub const JAVASCRIPT: &[Rule] = &[
    (r#"\bcreateHash\(\s*['"](?P<name>[\w-]+)['"]\s*[,)]"#, Name(Ctx::Any), ""),
    (r#"\bcreateHmac\(\s*['"](?P<name>[\w-]+)['"]\s*[,)]"#, Name(Ctx::Hmac), ""),
    (r#"\bcreateHmac\(\s*(?:[^'"\s)]|['"]sha['"]\s*\+)"#, Spec("mac HMAC"), ""),
    (r#"\bcreate(?:Sign|Verify)\(\s*['"](?P<name>[\w-]+)['"]\s*\)"#, Name(Ctx::Sign), ""),
    (r#"\bcreate(?:Sign|Verify)\(\s*['"]RSA-SHA['"]\s*\+"#, Spec("signature RSASSA-PKCS1"), ""),
    (r#"\bcreate(?:Cipher|Decipher)(?:iv)?\(\s*['"](?P<name>[\w-]+)['"]"#, Name(Ctx::Any), ""),
    (r#"\bcreate(?:Cipher|Decipher)iv\(\s*[^'"\s)]"#, Spec("block-cipher ?"), ""),
    (r"\bRSA_PKCS1_PSS_PADDING\b", Spec("signature RSASSA-PSS"), ""),
    (r"\bRSA_PKCS1_OAEP_PADDING\b", Spec("pke RSAES-OAEP"), ""),
    (
        r#"\bgenerateKeyPair(?:Sync)?\(\s*['"](?P<name>[\w-]+)['"](?:\s*,\s*\{[^}]*?(?:modulusLength|namedCurve)\s*:\s*['"]?(?P<p>[\w-]+))?"#,
        Name(Ctx::Keygen),
        "",
    ),
    (r#"\bpbkdf2(?:Sync)?\("#, Spec("kdf PBKDF2"), ""),
    (r#"\bhkdf(?:Sync)?\("#, Spec("kdf HKDF"), ""),
    (r#"\bscrypt(?:Sync)?\("#, Spec("kdf scrypt"), ""),
    (
        r#"\bname\s*:\s*['"](?P<name>AES-GCM|AES-CBC|AES-CTR|AES-KW|RSA-OAEP|RSA-PSS|RSASSA-PKCS1-v1_5|ECDSA|ECDH|HMAC|PBKDF2|HKDF|Ed25519|X25519)['"]"#,
        Name(Ctx::Any),
        "",
    ),
    (r#"\bsubtle\w*\.digest\(\s*['"](?P<name>[\w-]+)['"]"#, Name(Ctx::Any), ""),
    (r#"\bname\s*:\s*['"]HMAC['"]\s*,\s*hash\s*:\s*['"](?P<name>SHA-\d+)['"]"#, Name(Ctx::Hmac), ""),
    (
        r#"\bname\s*:\s*['"]PBKDF2['"]\s*,\s*hash\s*:\s*['"]SHA-(?P<p>\d+)['"]"#,
        Spec("kdf PBKDF2 hash=SHA-{p}"),
        "",
    ),
    // WebCrypto algorithm objects: the scheme with its digest, and the key size at generateKey.
    (
        r#"\bname\s*:\s*['"]RSA-PSS['"][^;]{0,120}?\bhash\s*:\s*(?:\{\s*name\s*:\s*)?['"]SHA-(?P<p>\d+)['"]"#,
        Spec("signature RSASSA-PSS hash=SHA-{p}"),
        "",
    ),
    (
        r#"\bname\s*:\s*['"]RSASSA-PKCS1-v1_5['"][^;]{0,120}?\bhash\s*:\s*(?:\{\s*name\s*:\s*)?['"]SHA-(?P<p>\d+)['"]"#,
        Spec("signature RSASSA-PKCS1 hash=SHA-{p}"),
        "",
    ),
    (
        r#"\bname\s*:\s*['"]RSA-OAEP['"][^;]{0,120}?\bhash\s*:\s*(?:\{\s*name\s*:\s*)?['"]SHA-(?P<p>\d+)['"]"#,
        Spec("pke RSAES-OAEP hash=SHA-{p}"),
        "",
    ),
    (
        r#"\bgenerateKey\(\s*\{\s*name\s*:\s*['"](?P<name>RSA-PSS|RSASSA-PKCS1-v1_5|RSA-OAEP)['"][^;]{0,80}?\bmodulusLength\s*:\s*(?P<p>\d+)"#,
        Name(Ctx::Keygen),
        "",
    ),
    (
        r#"\bgenerateKey\(\s*\{\s*name\s*:\s*['"](?P<name>ECDSA|ECDH)['"][^;]{0,80}?\bnamedCurve\s*:\s*['"](?P<p>P-\d+)['"]"#,
        Name(Ctx::Keygen),
        "",
    ),
    (r"\bforge\.md\.(?P<name>md5|sha1|sha256|sha384|sha512)\b", Name(Ctx::Any), "node-forge"),
    (r"\bforge\.hmac\.create\(", Spec("mac HMAC"), "node-forge"),
    (
        r"\bforge\.pki\.rsa\.generateKeyPair\(\s*(?:\{\s*bits\s*:\s*)?(?P<p>\d+)?",
        Spec("pke RSA param={p} keygen"),
        "node-forge",
    ),
];

/// Rust: RustCrypto crates, ring / aws-lc-rs, dalek, ml-kem / ml-dsa, openssl.
pub const RUST: &[Rule] = &[
    (
        r"\bAlgorithm::(?P<name>[HRPE]S(?:256|384|512)|ES256K|EdDSA)\b",
        Name(Ctx::Any),
        "jsonwebtoken::=>jsonwebtoken-rs",
    ),
    (
        r"\bHMAC_SHA(?P<p>1|256|384|512)(?:\b|_)",
        Spec("mac HMAC hash=SHA-{p}"),
        "ring::=>ring|aws_lc_rs::=>aws-lc-rs",
    ),
    (
        r"\bPBKDF2_HMAC_SHA(?P<p>1|256|384|512)\b",
        Spec("kdf PBKDF2 hash=SHA-{p}"),
        "ring::=>ring|aws_lc_rs::=>aws-lc-rs",
    ),
    (
        r"\bdigest::(?:digest\(\s*&\s*(?:digest::)?)?SHA(?P<p>256|384|512)\b",
        Spec("hash SHA-2 param={p}"),
        "ring::=>ring|aws_lc_rs::=>aws-lc-rs",
    ),
    (r"\bdigest::SHA1_FOR_LEGACY_USE_ONLY\b", Spec("hash SHA-1"), "ring::=>ring|aws_lc_rs::=>aws-lc-rs"),
    (
        r"\bRSA_PKCS1_(?:2048_8192_)?SHA(?P<p>256|384|512)\b",
        Spec("signature RSASSA-PKCS1 hash=SHA-{p}"),
        "ring::=>ring|aws_lc_rs::=>aws-lc-rs",
    ),
    (
        r"\bRSA_PSS_(?:2048_8192_)?SHA(?P<p>256|384|512)\b",
        Spec("signature RSASSA-PSS hash=SHA-{p}"),
        "ring::=>ring|aws_lc_rs::=>aws-lc-rs",
    ),
    (
        r"\bECDSA_P(?P<p>256|384)_SHA\d+_(?:ASN1|FIXED)(?:_SIGNING)?\b",
        Spec("signature ECDSA param=P-{p}"),
        "ring::=>ring|aws_lc_rs::=>aws-lc-rs",
    ),
    (
        r"\b(?:signature::)?ED25519\b",
        Spec("signature EdDSA param=Ed25519"),
        "ring::=>ring|aws_lc_rs::=>aws-lc-rs",
    ),
    (r"\bagreement::X25519\b", Spec("key-agree ECDH param=X25519"), "ring::=>ring|aws_lc_rs::=>aws-lc-rs"),
    (r"\bAES_(?P<p>128|256)_GCM\b", Spec("ae AES param={p} mode=GCM"), "ring::=>ring|aws_lc_rs::=>aws-lc-rs"),
    (r"\bCHACHA20_POLY1305\b", Spec("ae ChaCha20-Poly1305"), "ring::=>ring|aws_lc_rs::=>aws-lc-rs"),
    (r"\bPkcs1v15Sign\b", Spec("signature RSASSA-PKCS1"), "rsa::=>rustcrypto-rsa"),
    (r"\bpkcs1v15::(?:SigningKey|VerifyingKey)\b", Spec("signature RSASSA-PKCS1"), "rsa::=>rustcrypto-rsa"),
    (r"\bPss\b", Spec("signature RSASSA-PSS"), "rsa::=>rustcrypto-rsa"),
    (r"\bOaep\b", Spec("pke RSAES-OAEP"), "rsa::=>rustcrypto-rsa"),
    (
        r"\bRsaPrivateKey::new\(\s*&?\s*mut\s+\w+\s*,\s*(?P<p>\d+)?",
        Spec("pke RSA param={p} keygen"),
        "rsa::=>rustcrypto-rsa",
    ),
    (r"\bp256::ecdsa\b", Spec("signature ECDSA param=P-256"), "rustcrypto-p256"),
    (r"\bp384::ecdsa\b", Spec("signature ECDSA param=P-384"), "rustcrypto-p384"),
    (r"\bp521::ecdsa\b", Spec("signature ECDSA param=P-521"), "rustcrypto-p521"),
    (r"\bk256::ecdsa\b", Spec("signature ECDSA param=secp256k1"), "rustcrypto-k256"),
    (r"\bed25519_dalek::", Spec("signature EdDSA param=Ed25519"), "ed25519-dalek"),
    (r"\bx25519_dalek::", Spec("key-agree ECDH param=X25519"), "x25519-dalek"),
    (r"\bAes(?P<p>128|256)Gcm\b", Spec("ae AES param={p} mode=GCM"), "aes_gcm::=>rustcrypto-aes-gcm"),
    (
        r"\bChaCha20Poly1305\b",
        Spec("ae ChaCha20-Poly1305"),
        "chacha20poly1305::=>rustcrypto-chacha20poly1305",
    ),
    (r"\bMlKem(?P<p>512|768|1024)\b", Spec("kem ML-KEM param={p}"), "ml_kem::=>rustcrypto-ml-kem"),
    (r"\bMlDsa(?P<p>44|65|87)\b", Spec("signature ML-DSA param={p}"), "ml_dsa::=>rustcrypto-ml-dsa"),
    (r"\bMd5\b", Spec("hash MD5"), "md5::=>rustcrypto-md5"),
    (r"\bSha1\b", Spec("hash SHA-1"), "sha1::=>rustcrypto-sha1"),
    (r"\bSha(?P<p>224|256|384|512)\b", Spec("hash SHA-2 param={p}"), "sha2::=>rustcrypto-sha2"),
    (r"\bSha3_(?P<p>256|384|512)\b", Spec("hash SHA-3 param={p}"), "sha3::=>rustcrypto-sha3"),
    (
        r"\bHmac<\s*(?:sha2::)?Sha(?P<p>256|384|512)\s*>",
        Spec("mac HMAC hash=SHA-{p}"),
        "hmac::=>rustcrypto-hmac",
    ),
    (
        r"\bMessageDigest::(?P<name>md5|sha1|sha256|sha384|sha512)\(\)",
        Name(Ctx::Any),
        "openssl::=>rust-openssl|boring::=>boring",
    ),
    (
        r"\bCipher::(?P<name>aes_(?:128|192|256)_(?:cbc|ctr|gcm|ecb)|des_ede3_cbc|chacha20_poly1305)\(\)",
        Name(Ctx::Any),
        "openssl::=>rust-openssl|boring::=>boring",
    ),
];

/// C and C++: OpenSSL EVP and low-level APIs, libsodium, mbedTLS, OpenSSH's own primitives.
pub const C: &[Rule] = &[
    // Without `()` too: digests and ciphers are often listed as function pointers in a table.
    (
        r"\bEVP_(?P<name>md5|sha1|sha224|sha256|sha384|sha512|sha3_256|sha3_384|sha3_512)\b",
        Name(Ctx::Any),
        "openssl/=>openssl",
    ),
    (
        r"\bEVP_(?P<name>aes_(?:128|192|256)_(?:cbc|ctr|gcm|ecb|ccm)|des_ede3_cbc|des_cbc|rc4|chacha20_poly1305|chacha20)\b",
        Name(Ctx::Any),
        "openssl/=>openssl",
    ),
    (
        r"\bNID_(?:X9_62_)?(?P<p>prime256v1|secp384r1|secp521r1|secp256k1)\b",
        Spec("signature EC param={p}"),
        "openssl/=>openssl",
    ),
    (r"\bEVP_PKEY_keygen\(", Spec("signature ? keygen"), "openssl/=>openssl"),
    (
        r"\bRSA_generate_key(?:_ex)?\(\s*\w+\s*,\s*(?P<p>\d+)?",
        Spec("pke RSA param={p} keygen"),
        "openssl/=>openssl",
    ),
    (r"\bECDSA_(?:do_)?(?:sign|verify)\b", Spec("signature ECDSA"), "openssl/=>openssl"),
    (r"\bRSA_(?:sign|verify)\(", Spec("signature RSASSA-PKCS1"), "openssl/=>openssl"),
    (r"\bRSA_PKCS1_PSS_PADDING\b", Spec("signature RSASSA-PSS"), "openssl/=>openssl"),
    (r"\bRSA_PKCS1_OAEP_PADDING\b", Spec("pke RSAES-OAEP"), "openssl/=>openssl"),
    (r"\bHMAC\(\s*EVP_(?P<name>md5|sha1|sha256|sha384|sha512)\(\)", Name(Ctx::Hmac), "openssl/=>openssl"),
    (r"\bPKCS5_PBKDF2_HMAC\b", Spec("kdf PBKDF2"), "openssl/=>openssl"),
    (r"\bcrypto_kem_mlkem(?P<p>512|768|1024)_\w+", Spec("kem ML-KEM param={p}"), ""),
    (r"\bkexc25519_(?:keygen|shared_key\w*)\b", Spec("key-agree ECDH param=X25519"), ""),
    (r"\bcrypto_scalarmult(?:_curve25519)?\b", Spec("key-agree ECDH param=X25519"), "sodium.h=>libsodium"),
    (
        r"\bcrypto_sign_ed25519_(?:sk|pk)\w*|\bcrypto_sign(?:_ed25519)?(?:_detached|_open|_verify_detached)?\b",
        Spec("signature EdDSA param=Ed25519"),
        "sodium.h=>libsodium",
    ),
    (r"\bcrypto_aead_chacha20poly1305\w*", Spec("ae ChaCha20-Poly1305"), "sodium.h=>libsodium"),
    (r"\bcrypto_aead_aes256gcm\w*", Spec("ae AES param=256 mode=GCM"), "sodium.h=>libsodium"),
    (r"\bcrypto_secretbox\w*", Spec("ae XSalsa20-Poly1305"), "sodium.h=>libsodium"),
    // Any OpenSSL object name: EVP_ constructors (declared, called or taken as pointers), SN_/LN_/
    // NID_ names; BoringSSL's EVP_aead_*. The name table reads `aes_128_gcm` as `aes-128-gcm`.
    (r"\b(?:EVP|SN|LN|NID)_(?:aead_)?(?P<name>[a-z][a-z0-9_]+)\b", Name(Ctx::Any), "openssl/=>openssl"),
    (r"\b(?:NID|EVP_PKEY)_(?P<name>ED25519|ED448|X25519|X448)\b", Name(Ctx::Any), "openssl/=>openssl"),
    (r"\bEVP_PKEY_RSA_PSS\b", Spec("signature RSASSA-PSS"), "openssl/=>openssl"),
    (r"\bEVP_PKEY_(?:ML_KEM|KEM)_(?P<p>512|768|1024)\b", Spec("kem ML-KEM param={p}"), "openssl/=>openssl"),
    (r"\bEVP_PKEY_derive\b", Spec("key-agree ?"), "openssl/=>openssl"),
    (r"\bcrypto_generichash\w*", Spec("hash BLAKE2b"), "sodium.h=>libsodium"),
    (r"\bcrypto_pwhash_scryptsalsa208sha256\w*", Spec("kdf scrypt"), "sodium.h=>libsodium"),
    (r"\bcrypto_pwhash(?:_str\w*|_argon2id\w*)?\b", Spec("kdf Argon2"), "sodium.h=>libsodium"),
    (r"\bcrypto_hash_sha(?P<p>256|512)\w*", Spec("hash SHA-2 param={p}"), "sodium.h=>libsodium"),
    (r"\bcrypto_auth_hmacsha(?P<p>256|512)\w*", Spec("mac HMAC hash=SHA-{p}"), "sodium.h=>libsodium"),
    (
        r"\bcrypto_box(?:_easy|_open_easy|_seal\w*)?\b",
        Spec("key-agree ECDH param=X25519"),
        "sodium.h=>libsodium",
    ),
    // NaCl / libsodium key-pair generators.
    (
        r"\bcrypto_(?:box|kx)(?:_curve25519xsalsa20poly1305)?_(?:seed_)?keypair\b",
        Spec("key-agree ECDH param=X25519 keygen"),
        "sodium.h=>libsodium",
    ),
    (
        r"\bcrypto_sign(?:_ed25519)?_(?:seed_)?keypair\b",
        Spec("signature EdDSA param=Ed25519 keygen"),
        "sodium.h=>libsodium",
    ),
    (
        r"\bcrypto_kx_(?:client|server)_session_keys\b",
        Spec("key-agree ECDH param=X25519"),
        "sodium.h=>libsodium",
    ),
    (r"\bcrypto_aead_xchacha20poly1305\w*", Spec("ae XChaCha20-Poly1305"), "sodium.h=>libsodium"),
    (r"\bMBEDTLS_MD_(?P<name>MD5|SHA1|SHA224|SHA256|SHA384|SHA512)\b", Name(Ctx::Any), "mbedtls"),
    (
        r"\bMBEDTLS_CIPHER_(?P<name>AES_(?:128|192|256)_(?:CBC|CTR|GCM|ECB|CCM)|CHACHA20_POLY1305|DES_EDE3_CBC)\b",
        Name(Ctx::Any),
        "mbedtls",
    ),
    (
        r"\bMBEDTLS_ECP_DP_(?P<p>SECP256R1|SECP384R1|SECP521R1|SECP256K1)\b",
        Spec("signature EC param={p}"),
        "mbedtls",
    ),
    (r"\bMBEDTLS_ECP_DP_CURVE25519\b", Spec("key-agree ECDH param=X25519"), "mbedtls"),
    (r"\bmbedtls_gcm_\w+", Spec("ae AES mode=GCM"), "mbedtls"),
    (r"\bmbedtls_chachapoly_\w+", Spec("ae ChaCha20-Poly1305"), "mbedtls"),
    (r"\bmbedtls_hkdf\w*", Spec("kdf HKDF"), "mbedtls"),
    (r"\bmbedtls_pkcs5_pbkdf2_hmac\w*", Spec("kdf PBKDF2"), "mbedtls"),
    (r"\bmbedtls_ecdh_\w+", Spec("key-agree ECDH"), "mbedtls"),
    (r"\bmbedtls_md_hmac\w*", Spec("mac HMAC"), "mbedtls"),
    (
        r"\bwc_(?:Init)?(?P<name>Md5|Sha|Sha224|Sha256|Sha384|Sha512|Sha3_256|Sha3_384|Sha3_512)(?:Update|Final|Hash|Free)?\b",
        Name(Ctx::Any),
        "wolfssl",
    ),
    (r"\bwc_AesGcm\w+", Spec("ae AES mode=GCM"), "wolfssl"),
    (r"\bwc_AesCbc\w+", Spec("block-cipher AES mode=CBC"), "wolfssl"),
    (r"\bwc_AesCtr\w+", Spec("block-cipher AES mode=CTR"), "wolfssl"),
    (r"\bwc_ChaCha20Poly1305_\w+", Spec("ae ChaCha20-Poly1305"), "wolfssl"),
    (r"\bwc_ed25519_\w+", Spec("signature EdDSA param=Ed25519"), "wolfssl"),
    (r"\bwc_curve25519_\w+", Spec("key-agree ECDH param=X25519"), "wolfssl"),
    (r"\bwc_ecc_sign_hash\w*|\bwc_ecc_verify_hash\w*", Spec("signature ECDSA"), "wolfssl"),
    (r"\bwc_ecc_shared_secret\w*", Spec("key-agree ECDH"), "wolfssl"),
    (r"\bwc_RsaSSL_(?:Sign|Verify)\w*", Spec("signature RSASSA-PKCS1"), "wolfssl"),
    (r"\bwc_RsaPSS_\w+", Spec("signature RSASSA-PSS"), "wolfssl"),
    (r"\bwc_MakeRsaKey\(\s*[^,]+,\s*(?P<p>\d+)?", Spec("pke RSA param={p} keygen"), "wolfssl"),
    (r"\bwc_HmacSetKey\(\s*[^,]+,\s*WC_(?P<name>MD5|SHA|SHA256|SHA384|SHA512)\b", Name(Ctx::Hmac), "wolfssl"),
    (r"\bwc_PBKDF2\w*", Spec("kdf PBKDF2"), "wolfssl"),
    (r"\bwc_HKDF\w*", Spec("kdf HKDF"), "wolfssl"),
    (r"\bmbedtls_(?P<name>md5|sha1|sha256|sha512)(?:_ret)?\(", Name(Ctx::Any), "mbedtls"),
    (r"\bmbedtls_aes_\w+", Spec("block-cipher AES"), "mbedtls"),
    (r"\bmbedtls_rsa_\w+", Spec("pke RSA"), "mbedtls"),
    (r"\bmbedtls_ecdsa_\w+", Spec("signature ECDSA"), "mbedtls"),
];

/// C#: System.Security.Cryptography.
pub const CSHARP: &[Rule] = &[
    (
        r"\b(?P<name>MD5|SHA1|SHA256|SHA384|SHA512|SHA3_256|SHA3_384|SHA3_512)\.(?:Create|HashData)\(",
        Name(Ctx::Any),
        "",
    ),
    (
        r"\bnew\s+(?P<name>MD5|SHA1|SHA256|SHA384|SHA512)(?:Managed|CryptoServiceProvider|Cng)\(",
        Name(Ctx::Any),
        "",
    ),
    (r"\bHMAC(?P<name>MD5|SHA1|SHA256|SHA384|SHA512)\b", Name(Ctx::Hmac), ""),
    (r"\bHashAlgorithmName\.(?P<name>MD5|SHA1|SHA256|SHA384|SHA512)\b", Name(Ctx::Any), ""),
    (r"\bnew\s+AesGcm\(|\bAesGcm\b", Spec("ae AES mode=GCM"), ""),
    (r"\bnew\s+AesCcm\(", Spec("ae AES mode=CCM"), ""),
    (
        r"\bAes\.Create\(|\bnew\s+AesManaged\(|\bnew\s+AesCryptoServiceProvider\(",
        Spec("block-cipher AES"),
        "",
    ),
    // Rijndael with .NET's default 128-bit block is AES.
    (r"\bnew\s+RijndaelManaged\(|\bRijndael\.Create\(", Spec("block-cipher AES"), ""),
    (r"\bTripleDES\.Create\(|\bnew\s+TripleDESCryptoServiceProvider\(", Spec("block-cipher 3DES"), ""),
    (r"\bDES\.Create\(|\bnew\s+DESCryptoServiceProvider\(", Spec("block-cipher DES"), ""),
    (r"\bRC2\.Create\(", Spec("block-cipher RC2"), ""),
    (r"\bRSA\.Create\(\s*(?P<p>\d+)?", Spec("pke RSA param={p}"), ""),
    (r"\bnew\s+RSACryptoServiceProvider\(\s*(?P<p>\d+)?", Spec("pke RSA param={p}"), ""),
    (r"\bRSASignaturePadding\.Pss\b", Spec("signature RSASSA-PSS"), ""),
    (r"\bRSASignaturePadding\.Pkcs1\b", Spec("signature RSASSA-PKCS1"), ""),
    (r"\bRSAPKCS1Signature(?:Formatter|Deformatter)\b", Spec("signature RSASSA-PKCS1"), ""),
    (r"\bRSAEncryptionPadding\.Oaep\w*", Spec("pke RSAES-OAEP"), ""),
    (
        r"\bECDsa\.Create\(\s*(?:ECCurve\.NamedCurves\.nistP(?P<p>256|384|521))?",
        Spec("signature ECDSA param=P-{p}"),
        "",
    ),
    (
        r"\bECDiffieHellman\.Create\(\s*(?:ECCurve\.NamedCurves\.nistP(?P<p>256|384|521))?",
        Spec("key-agree ECDH param=P-{p}"),
        "",
    ),
    (r"\bnew\s+ChaCha20Poly1305\(", Spec("ae ChaCha20-Poly1305"), ""),
    (r"\bRfc2898DeriveBytes\b", Spec("kdf PBKDF2"), ""),
    (r"\bHKDF\.(?:DeriveKey|Extract|Expand)\(", Spec("kdf HKDF"), ""),
    (r"\bMLKemAlgorithm\.MLKem(?P<p>512|768|1024)\b", Spec("kem ML-KEM param={p}"), ""),
    (r"\bMLDsaAlgorithm\.MLDsa(?P<p>44|65|87)\b", Spec("signature ML-DSA param={p}"), ""),
];

/// PHP: hash(), openssl_*, sodium_*.
pub const PHP: &[Rule] = &[
    (r#"\bhash(?:_init|_file)?\(\s*['"](?P<name>[\w/-]+)['"]"#, Name(Ctx::Any), ""),
    (r#"\bhash_hmac(?:_file)?\(\s*['"](?P<name>[\w/-]+)['"]"#, Name(Ctx::Hmac), ""),
    (r"\bmd5(?:_file)?\(", Spec("hash MD5"), ""),
    (r"\bsha1(?:_file)?\(", Spec("hash SHA-1"), ""),
    (r"\bhash_pbkdf2\(", Spec("kdf PBKDF2"), ""),
    // password_hash's algorithm constants; PASSWORD_DEFAULT is bcrypt (PHP manual, password_hash).
    (r"\bPASSWORD_(?:BCRYPT|DEFAULT)\b", Spec("kdf bcrypt"), ""),
    (r"\bPASSWORD_ARGON2ID\b", Spec("kdf Argon2 param=id"), ""),
    (r"\bPASSWORD_ARGON2I\b", Spec("kdf Argon2 param=i"), ""),
    (r"\bsodium_crypto_pwhash(?:_str\w*)?\b", Spec("kdf Argon2"), ""),
    (r"\bsodium_crypto_pwhash_scryptsalsa208sha256\w*", Spec("kdf scrypt"), ""),
    (r#"\bopenssl_(?:en|de)crypt\(\s*[^,]+,\s*['"](?P<name>[\w-]+)['"]"#, Name(Ctx::Any), ""),
    (r"\bOPENSSL_ALGO_(?P<name>MD5|SHA1|SHA256|SHA384|SHA512)\b", Name(Ctx::Sign), ""),
    (
        r"\bopenssl_pkey_new\((?:[^;]*?private_key_bits['\x22]\s*=>\s*(?P<p>\d+))?",
        Spec("pke RSA param={p|2048} keygen"),
        "",
    ),
    (r"\bsodium_crypto_sign\w*", Spec("signature EdDSA param=Ed25519"), ""),
    (
        r"\bsodium_crypto_box\w*|\bsodium_crypto_kx\w*|\bsodium_crypto_scalarmult\w*",
        Spec("key-agree ECDH param=X25519"),
        "",
    ),
    (
        r"\bsodium_crypto_aead_chacha20poly1305\w*|\bsodium_crypto_aead_xchacha20poly1305\w*",
        Spec("ae ChaCha20-Poly1305"),
        "",
    ),
    (r"\bsodium_crypto_aead_aes256gcm\w*", Spec("ae AES param=256 mode=GCM"), ""),
    (r"\bsodium_crypto_secretbox\w*", Spec("ae XSalsa20-Poly1305"), ""),
];

/// Ruby: Digest, OpenSSL::*, RbNaCl.
pub const RUBY: &[Rule] = &[
    (r"\b(?:OpenSSL::)?Digest::(?P<name>MD5|SHA1|SHA256|SHA384|SHA512)\b", Name(Ctx::Any), ""),
    (r"\bDigest::SHA2\.new\(\s*(?P<p>256|384|512)\s*\)", Spec("hash SHA-2 param={p}"), ""),
    (r#"\bOpenSSL::Digest\.new\(\s*['"](?P<name>[\w-]+)['"]"#, Name(Ctx::Any), ""),
    (r#"\bOpenSSL::HMAC\.(?:hexdigest|digest|new)\(\s*['"](?P<name>[\w-]+)['"]"#, Name(Ctx::Hmac), ""),
    // The digest given as an object rather than a name.
    (
        r#"\bOpenSSL::HMAC\.(?:hexdigest|digest|new)\(\s*OpenSSL::Digest\.new\(\s*['"](?P<name>[\w-]+)['"]"#,
        Name(Ctx::Hmac),
        "",
    ),
    (
        r"\bOpenSSL::HMAC\.(?:hexdigest|digest|new)\(\s*(?:OpenSSL::)?Digest::(?P<name>MD5|SHA1|SHA256|SHA384|SHA512)\b",
        Name(Ctx::Hmac),
        "",
    ),
    (r#"\bOpenSSL::Cipher\.new\(\s*['"](?P<name>[\w-]+)['"]"#, Name(Ctx::Any), ""),
    (r"\bOpenSSL::Cipher::AES\.new\(\s*(?P<p>128|192|256)", Spec("block-cipher AES param={p}"), ""),
    (r"\bOpenSSL::PKey::RSA\.(?:new|generate)\(\s*(?P<p>\d+)", Spec("pke RSA param={p} keygen"), ""),
    (r#"\bOpenSSL::PKey::EC\.generate\(\s*['"](?P<p>[\w-]+)['"]"#, Spec("signature EC param={p} keygen"), ""),
    (r"\bOpenSSL::PKCS5\.pbkdf2_hmac\w*", Spec("kdf PBKDF2"), ""),
    (r"\bOpenSSL::KDF\.pbkdf2_hmac\b", Spec("kdf PBKDF2"), ""),
    (r"\bOpenSSL::KDF\.scrypt\b", Spec("kdf scrypt"), ""),
    (r"\bRbNaCl::SigningKey\b", Spec("signature EdDSA param=Ed25519"), "rbnacl"),
];
