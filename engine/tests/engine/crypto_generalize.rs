//! One test per miss named in issue 17: APIs reached through imports, aliases, values and call
//! arguments rather than corpus phrases. Each snippet is a few lines quoted from a public
//! repository (named above it); none is in the labelled corpus.

use cairn_engine::crypto::{Function, detect_file};

/// `(family, parameter, hash, keygen)` of every use found, sorted.
fn found(rel: &str, src: &str) -> Vec<(String, Option<String>, Option<String>, bool)> {
    let mut v: Vec<_> = detect_file(rel, src)
        .into_iter()
        .map(|u| {
            let a = u.algorithm;
            (a.family.unwrap_or_default(), a.parameter, a.hash, a.function == Function::Keygen)
        })
        .collect();
    v.sort();
    v
}

fn has(v: &[(String, Option<String>, Option<String>, bool)], family: &str, hash: Option<&str>) -> bool {
    v.iter().any(|(f, _, h, _)| f == family && (hash.is_none() || h.as_deref() == hash))
}

#[test]
fn go_x_crypto_chacha20poly1305_and_hkdf_through_imports() {
    // riobard/go-shadowsocks2 : shadowaead/cipher.go (chacha20poly1305.New passed as a value).
    let src = "package shadowaead\n\nimport (\n\t\"crypto/sha1\"\n\n\t\"golang.org/x/crypto/chacha20poly1305\"\n\t\"golang.org/x/crypto/hkdf\"\n)\n\nfunc hkdfSHA1(secret, salt, info, outkey []byte) {\n\tr := hkdf.New(sha1.New, secret, salt, info)\n}\n\nfunc Chacha20IETFPoly1305(psk []byte) (Cipher, error) {\n\treturn &metaCipher{psk: psk, makeAEAD: chacha20poly1305.New}, nil\n}\n";
    let v = found("shadowaead/cipher.go", src);
    assert!(has(&v, "HKDF", Some("SHA-1")), "{v:?}");
    assert!(has(&v, "ChaCha20-Poly1305", None), "{v:?}");
}

#[test]
fn go_scrypt_key() {
    // dkzhang/RmsGo : DK_Experiments/passwd/gen.go
    let src = "package main\n\nimport (\n\t\"crypto/rand\"\n\t\"golang.org/x/crypto/scrypt\"\n)\n\nfunc main() {\n\thash, err := scrypt.Key([]byte(PASS_WORD), salt, 1<<15, 8, 1, PW_HASH_BYTES)\n}\n";
    assert!(has(&found("gen.go", src), "scrypt", None));
}

#[test]
fn go_hpke_ml_kem_hybrid() {
    // cloudflare/circl : hpke/kem_test.go (external test package, so the KEMs are hpke.-qualified).
    let src = "package hpke_test\n\nimport (\n\t\"testing\"\n\n\t\"github.com/cloudflare/circl/hpke\"\n)\n\nfunc TestIssue488(t *testing.T) {\n\tfor _, kem := range []hpke.KEM{\n\t\thpke.KEM_P256_HKDF_SHA256,\n\t\thpke.KEM_X25519_KYBER768_DRAFT00,\n\t} {\n\t\tcheckIssue488(t, kem)\n\t}\n}\n";
    let v = found("hpke/kem_test.go", src);
    assert!(v.iter().any(|(f, p, _, _)| f == "ML-KEM" && p.as_deref() == Some("768")), "{v:?}");
    assert!(v.iter().any(|(f, p, _, _)| f == "ECDH" && p.as_deref() == Some("P-256")), "{v:?}");
}

#[test]
fn python_pyca_hash_used_as_a_value() {
    // PressureDraper/criptography : HMAC/hmac_auto.py
    let src = "from cryptography.hazmat.backends import default_backend\nfrom cryptography.hazmat.primitives import hashes, hmac\nimport os\n\nh = hmac.HMAC(k, hashes.SHA256(), backend=default_backend())\n";
    let v = found("HMAC/hmac_auto.py", src);
    assert!(has(&v, "HMAC", Some("SHA-256")), "{v:?}");
    // A table of classes, never called here (the value flows to a later call).
    let table = "from cryptography.hazmat.primitives import hashes\nSUPPORTED_ALGORITHMS = {\n    \"RS256\": hashes.SHA256,\n    \"RS384\": hashes.SHA384,\n}\n";
    let t = found("keys.py", table);
    assert!(t.iter().any(|(f, p, _, _)| f == "SHA-2" && p.as_deref() == Some("384")), "{t:?}");
}

#[test]
fn python_hmac_new_with_digestmod() {
    // nihalsekhar/ENSE821 : ClassWork/sample.py
    let src = "import binascii\nimport hashlib\nimport hmac\n\nmac = hmac.new(b'key', b'some msg', hashlib.sha256).digest()\n";
    assert!(has(&found("sample.py", src), "HMAC", Some("SHA-256")));
    // The same call with the digest named by keyword and string (CPython's documented form).
    let kw = "import hmac\nsig = hmac.new(secret, msg, digestmod='sha1').hexdigest()\n";
    assert!(has(&found("sig.py", kw), "HMAC", Some("SHA-1")));
}

#[test]
fn rust_crates_through_use_paths() {
    // str4d/rage : age-core/src/primitives.rs and age/src/primitives.rs
    let src = "use chacha20poly1305::{\n    aead::{self, generic_array::typenum::Unsigned, Aead, AeadCore, KeyInit},\n    ChaCha20Poly1305,\n};\nuse hkdf::Hkdf;\nuse sha2::Sha256;\nuse scrypt::{errors::InvalidParams, scrypt as scrypt_inner, Params as ScryptParams};\n\npub fn aead_encrypt(key: &[u8; 32], plaintext: &[u8]) -> Vec<u8> {\n    let c = ChaCha20Poly1305::new(key.into());\n}\npub fn hkdf(salt: &[u8], label: &[u8], ikm: &[u8]) -> [u8; 32] {\n    Hkdf::<Sha256>::new(Some(salt), ikm)\n}\npub(crate) fn scrypt(salt: &[u8], log_n: u8, password: &str) {\n    let params = ScryptParams::new(log_n, 8, 1)?;\n    scrypt_inner(password.as_bytes(), salt, &params, &mut output)\n}\n";
    let v = found("age-core/src/primitives.rs", src);
    assert!(has(&v, "ChaCha20-Poly1305", None), "{v:?}");
    assert!(has(&v, "HKDF", Some("SHA-256")), "{v:?}");
    assert!(has(&v, "scrypt", None), "{v:?}");
}

#[test]
fn openssl_evp_names_in_a_c_header() {
    // apache/nuttx-apps : crypto/openssl_mbedtls_wrapper/include/openssl/cipher.h
    let src = "#include <openssl/base.h>\n\nconst EVP_CIPHER *EVP_aes_128_ecb(void);\nconst EVP_CIPHER *EVP_aes_192_ecb(void);\nconst EVP_CIPHER *EVP_aes_256_cbc(void);\nconst EVP_CIPHER *EVP_aes_192_gcm(void);\nconst EVP_CIPHER *EVP_des_ede3(void);\n";
    let v = found("include/openssl/cipher.h", src);
    for (p, mode) in [("128", "ECB"), ("192", "ECB"), ("256", "CBC"), ("192", "GCM")] {
        assert!(
            detect_file("include/openssl/cipher.h", src)
                .iter()
                .any(|u| u.algorithm.family.as_deref() == Some("AES")
                    && u.algorithm.parameter.as_deref() == Some(p)
                    && u.algorithm.mode.as_deref() == Some(mode)),
            "AES-{p}-{mode} in {v:?}"
        );
    }
    assert!(has(&v, "3DES", None), "{v:?}");
}

/// Every use of `family` with this parameter and mode.
fn with_mode(rel: &str, src: &str, family: &str, mode: &str) -> bool {
    detect_file(rel, src)
        .iter()
        .any(|u| u.algorithm.family.as_deref() == Some(family) && u.algorithm.mode.as_deref() == Some(mode))
}

#[test]
fn java_bouncy_castle_gcm_over_an_aes_engine() {
    // hamzakhedraoui/cloud-security : src/main/java/GCMBlockCipher.java
    // (commit b4608bdde2bc4319c4c7c4b03ad4360c686dab77), fully qualified mode class.
    let src = "import org.bouncycastle.crypto.engines.AESEngine;\n\npublic class GCMBlockCipher extends BufferedBlockCipher {\n    private org.bouncycastle.crypto.modes.GCMBlockCipher internalCipher;\n    public GCMBlockCipher() {\n        this.internalCipher = new org.bouncycastle.crypto.modes.GCMBlockCipher(new AESEngine());\n    }\n}\n";
    assert!(with_mode("GCMBlockCipher.java", src, "AES", "GCM"), "{:?}", found("GCMBlockCipher.java", src));
}

#[test]
fn csharp_rijndael_managed_is_aes() {
    // Anirban166/Unity-Scripts : Strings/Rijndael.cs (commit 6dcc3c252eed1e7ea8848ca6a12a99f110434c72)
    let src = "using System;\nusing System.IO;\nusing System.Security.Cryptography;\nnamespace RijndaelManage\n{\nclass Rijndael\n{\n    public static void Main()\n    {\n                using (RijndaelManaged myRijndael = new RijndaelManaged())\n                {\n                    myRijndael.GenerateKey();\n                    myRijndael.GenerateIV();\n                }\n    }\n}\n}\n";
    assert!(has(&found("Strings/Rijndael.cs", src), "AES", None));
}

#[test]
fn php_password_hash_constants_and_sodium_pwhash() {
    // peachpiecompiler/peachpie : tests/hash/password_get_info_001.php
    // (commit e1d7ae33468ce24c69d1dc3ca2157289f3c3fa58)
    let src = "<?php\n\n$password = \"rasmuslerdorf\";\n$hashBCrypt = @password_hash($password,PASSWORD_DEFAULT,$options);\n$hashArgon2ID = @password_hash( $password, PASSWORD_ARGON2ID, $options);\n$hashArgon2I= @password_hash( $password, PASSWORD_ARGON2I, $options);\n";
    let v = found("password_get_info_001.php", src);
    assert!(has(&v, "bcrypt", None), "{v:?}");
    for p in ["id", "i"] {
        assert!(v.iter().any(|(f, q, _, _)| f == "Argon2" && q.as_deref() == Some(p)), "Argon2{p} in {v:?}");
    }
    // php/php-src : ext/sodium/tests/pwhash_argon2i.phpt (commit a401f8457ca9443474c811e155d625c6c354e900)
    let sodium = "<?php\n$passwd = 'password';\n\n$hash = sodium_crypto_pwhash_str\n  ($passwd, SODIUM_CRYPTO_PWHASH_OPSLIMIT_INTERACTIVE,\n\t\t\tSODIUM_CRYPTO_PWHASH_MEMLIMIT_INTERACTIVE);\n$c = sodium_crypto_pwhash_str_verify($hash, $passwd);\n";
    assert!(has(&found("pwhash_argon2i.php", sodium), "Argon2", None));
}

#[test]
fn ruby_hmac_with_a_digest_object() {
    // button/webhook-test-apps : ruby/index.rb (commit a6a8c92fc2500bda9cfdbebbf5ac40018e391ef9)
    let src = "require 'openssl'\n\ndef signature request_body\n  OpenSSL::HMAC.hexdigest(\n    OpenSSL::Digest.new('sha256'),\n    WEBHOOK_SECRET,\n    request_body\n  )\nend\n";
    let v = found("ruby/index.rb", src);
    assert!(has(&v, "HMAC", Some("SHA-256")), "{v:?}");
}

#[test]
fn java_jose_algorithms_named_by_library_constants() {
    // ljdawn/python_share : test/java_rsa.java (commit 3eaeb73ef98976b5ce1d9a7ddbcf2365c5ad6054), Nimbus.
    let nimbus = "import com.nimbusds.jose.*;\nimport com.nimbusds.jose.crypto.*;\nimport com.nimbusds.jwt.*;\n\nJWSSigner signer = new RSASSASigner(privateKey);\nSignedJWT signedJWT = new SignedJWT(\n    new JWSHeader(JWSAlgorithm.RS256), \n    claimsSet);\n";
    let v = found("test/java_rsa.java", nimbus);
    assert!(has(&v, "RSASSA-PKCS1", Some("SHA-256")), "{v:?}");
    // Ethan-Rain/myweb : src/main/java/cn/helloworld1999/security/util/JwtTokenUtil.java
    // (commit 4d35a1680358fc4c78d2a4c2263d13c71b059d90), JJWT.
    let jjwt = "private String doGenerateToken(Map<String, Object> claims, String subject) {\n    return Jwts.builder()\n            .setClaims(claims)\n            .setSubject(subject)\n            .signWith(Keys.hmacShaKeyFor(secret.getBytes()), SignatureAlgorithm.HS512)\n            .compact();\n}\n";
    let v = found("JwtTokenUtil.java", jjwt);
    assert!(has(&v, "HMAC", Some("SHA-512")), "{v:?}");
}

#[test]
fn csharp_pkcs1_signature_formatter() {
    // dotnet/docs : docs/standard/security/snippets/cryptographic-signatures/csharp/Program.cs
    // (commit 05124b25e7b3ce7dd53072ac6652a4865e6ae7f2)
    let src = "using System.Security.Cryptography;\nusing System.Text;\n\nusing SHA256 alg = SHA256.Create();\n\n// Generate signature\nusing (RSA rsa = RSA.Create())\n{\n    sharedParameters = rsa.ExportParameters(false);\n\n    RSAPKCS1SignatureFormatter rsaFormatter = new(rsa);\n    rsaFormatter.SetHashAlgorithm(nameof(SHA256));\n\n    signedHash = rsaFormatter.CreateSignature(hash);\n}\n";
    let v = found("Program.cs", src);
    assert!(has(&v, "RSASSA-PKCS1", None), "{v:?}");
}

#[test]
fn ruby_openssl_kdf_scrypt() {
    // dinuamipara03/Ruby-learning : Day8/openssl/pbkdf.rb (commit bd6aeca05a4e52c313b457123b039b8a3ed8c2f6)
    let src = "require 'openssl'\nrequire 'securerandom'\npass = \"password\"\nsalt = SecureRandom.random_bytes(16)\ndk = OpenSSL::KDF.scrypt(pass, salt: salt, N: 2**14, r: 8, p: 1, length: 32)\np dk\n";
    assert!(has(&found("Day8/openssl/pbkdf.rb", src), "scrypt", None));
}
