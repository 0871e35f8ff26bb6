//! Certificates and keys from the labelled corpus (`fixtures/crypto/pem`): each file's key
//! algorithm, size or curve, and for certificates the signature algorithm, as labelled by hand.

use cairn_engine::crypto::material::{MaterialKind, read_material};
use std::path::Path;

fn read(name: &str) -> Vec<cairn_engine::crypto::material::CryptoMaterial> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crypto/pem").join(name);
    read_material(name, &std::fs::read_to_string(path).expect("fixture"))
}

fn key(m: &cairn_engine::crypto::material::CryptoMaterial) -> (Option<&str>, Option<&str>) {
    let k = m.key.as_ref().expect("key algorithm");
    (k.family.as_deref(), k.parameter.as_deref())
}

#[test]
fn public_keys() {
    let ec = read("golang-jwt__jwt__ec256-public.pem");
    assert_eq!(
        (ec.len(), ec[0].kind, key(&ec[0])),
        (1, MaterialKind::PublicKey, (Some("EC"), Some("P-256")))
    );
    let rsa = read("golang-jwt__jwt__sample_key.pub");
    assert_eq!(key(&rsa[0]), (Some("RSA"), Some("2048")));
    let ed = read("golang-jwt__jwt__ed25519-public.pem");
    assert_eq!(key(&ed[0]), (Some("EdDSA"), Some("Ed25519")));
}

#[test]
fn private_key_is_located_not_stored() {
    let m = read("Keats__jsonwebtoken__private_ed448_key.pem");
    assert_eq!((m.len(), m[0].kind, m[0].line), (1, MaterialKind::PrivateKey, 1));
    assert_eq!(key(&m[0]), (Some("EdDSA"), Some("Ed448")));
    let json = serde_json::to_string(&m).expect("json");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/crypto/pem/Keats__jsonwebtoken__private_ed448_key.pem"),
    )
    .expect("fixture");
    let body = text.lines().nth(1).expect("base64 line");
    assert!(!json.contains(body), "key material must not be kept");
}

#[test]
fn certificates() {
    let rsa = read("Keats__jsonwebtoken__certificate_rsa_key_pkcs1.crt");
    let c = &rsa[0];
    assert_eq!((c.kind, key(c)), (MaterialKind::Certificate, (Some("RSA"), Some("2048"))));
    let sig = c.signature.as_ref().expect("signature");
    assert_eq!((sig.family.as_deref(), sig.hash.as_deref()), (Some("RSASSA-PKCS1"), Some("SHA-256")));
    assert!(c.subject.as_deref().is_some_and(|s| s.contains("Internet Widgits Pty Ltd")), "{:?}", c.subject);
    assert!(c.not_before.is_some() && c.not_after.is_some() && !c.weak);
    let ec = read("go-acme__lego__cert-p256.pem");
    assert_eq!(key(&ec[0]), (Some("EC"), Some("P-256")));
    let sig = ec[0].signature.as_ref().expect("signature");
    assert_eq!((sig.family.as_deref(), sig.hash.as_deref()), (Some("ECDSA"), Some("SHA-256")));
    assert!(ec[0].issuer.as_deref().is_some_and(|s| s.contains("Acme Co")));
}

fn der_fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crypto/der").join(name))
        .expect("fixture")
}

#[test]
fn der_files_and_key_stores() {
    use cairn_engine::crypto::material::read_material_bytes;
    let read = |name: &str| read_material_bytes(name, &der_fixture(name));
    let cert = read("cert.cer");
    assert_eq!(
        (cert.len(), cert[0].kind, cert[0].format.as_str()),
        (1, MaterialKind::Certificate, "DER X.509")
    );
    assert_eq!(key(&cert[0]), (Some("EC"), Some("P-256")));
    for (name, kind, format) in [
        ("key-pkcs8.der", MaterialKind::PrivateKey, "DER PKCS#8"),
        ("key-pkcs1.der", MaterialKind::PrivateKey, "DER PKCS#1"),
        ("public-spki.der", MaterialKind::PublicKey, "DER SPKI"),
    ] {
        let m = read(name);
        assert_eq!((m.len(), m[0].kind, m[0].format.as_str()), (1, kind, format), "{name}");
        assert_eq!(key(&m[0]), (Some("RSA"), Some("2048")), "{name}");
    }
    for (name, format) in [("store.jks", "JKS"), ("store.p12", "PKCS#12")] {
        let m = read(name);
        assert_eq!(
            (m.len(), m[0].kind, m[0].format.as_str(), m[0].key.is_none()),
            (1, MaterialKind::KeyStore, format, true)
        );
    }
}

#[test]
fn truncated_or_corrupted_der_never_panics() {
    use cairn_engine::crypto::material::read_material_bytes;
    for name in ["cert.cer", "key-pkcs8.der", "key-pkcs1.der", "public-spki.der", "store.jks", "store.p12"] {
        let bytes = der_fixture(name);
        for cut in 0..bytes.len() {
            let r = std::panic::catch_unwind(|| read_material_bytes(name, &bytes[..cut]));
            assert!(r.is_ok(), "{name} cut at {cut}");
        }
        for at in (0..bytes.len()).step_by(7) {
            let mut b = bytes.clone();
            b[at] ^= 0xA5;
            let r = std::panic::catch_unwind(|| read_material_bytes(name, &b));
            assert!(r.is_ok(), "{name} flipped at {at}");
        }
    }
}

#[test]
fn a_crl_and_a_certification_request_are_signed() {
    // hyperledger/fabric-ca @ a213acfaf421 : testdata/crl.pem — the CRL's own signature counts.
    let crl = read("hyperledger__fabric-ca__crl.pem");
    assert_eq!((crl.len(), crl[0].kind, crl[0].format.as_str()), (1, MaterialKind::Crl, "PEM X.509 CRL"));
    let sig = crl[0].signature.as_ref().expect("signature algorithm");
    assert_eq!((sig.family.as_deref(), sig.hash.as_deref()), (Some("RSASSA-PKCS1"), Some("SHA-256")));
    assert!(crl[0].issuer.as_deref().is_some_and(|i| i.contains("CILogon Silver CA")));
    assert_eq!(crl[0].algorithms().len(), 1);
    // yasszu/aws-sns-subscrube-https-go @ cc7f8bd38a84 : testdata/csr.pem
    let csr = read("yasszu__aws-sns-subscrube-https-go__csr.pem");
    assert_eq!((csr.len(), csr[0].kind), (1, MaterialKind::CertificateRequest));
    assert_eq!(key(&csr[0]), (Some("RSA"), Some("2048")));
    let sig = csr[0].signature.as_ref().expect("signature algorithm");
    assert_eq!((sig.family.as_deref(), sig.hash.as_deref()), (Some("RSASSA-PKCS1"), Some("SHA-256")));
}
