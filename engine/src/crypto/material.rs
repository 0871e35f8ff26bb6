//! Certificates and keys in the tree: PEM and DER X.509 certificates, certificate revocation lists
//! and certification requests (PKCS#10), SPKI / PKCS#1 public keys,
//! PKCS#8 / PKCS#1 / SEC1 / OpenSSH private keys (PEM or DER) and OpenSSH public keys; JKS, JCEKS
//! and PKCS#12 key stores noted by type. What is read: the key algorithm and size or curve, the
//! certificate's signature algorithm, subject, issuer and validity. A private key is located (file
//! and line) and never stored or logged; a key store's protected content is not read.

use super::{Algorithm, Function, Primitive};
use base64::Engine;
use pkcs8::der::Decode;
use pkcs8::der::asn1::{ObjectIdentifier, SequenceOf, UintRef};
use pkcs8::der::referenced::OwnedToRef;
use serde::{Deserialize, Serialize};
use x509_cert::Certificate;
use x509_cert::spki::SubjectPublicKeyInfoRef;

/// What kind of object was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaterialKind {
    /// An X.509 certificate.
    Certificate,
    /// A public key.
    PublicKey,
    /// A private key: a secret in the tree.
    PrivateKey,
    /// A key store (JKS, JCEKS, PKCS#12): noted by type, its protected content not read.
    KeyStore,
    /// An X.509 certificate revocation list: its issuer and signature algorithm.
    Crl,
    /// A PKCS#10 certification request: its subject, key and signature algorithm.
    CertificateRequest,
}

/// One certificate or key, located in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CryptoMaterial {
    /// Path relative to the scan root.
    pub file: String,
    /// 1-based line where the object starts.
    pub line: u32,
    /// Certificate, public or private key.
    pub kind: MaterialKind,
    /// Encoding and structure: `PEM X.509`, `DER X.509`, `PEM PKCS#8`, `DER PKCS#8`, `PEM PKCS#1`,
    /// `DER PKCS#1`, `PEM SEC1`, `PEM SPKI`, `DER SPKI`, `OpenSSH`, `JKS`, `JCEKS`, `PKCS#12`.
    pub format: String,
    /// The key's algorithm with its size or curve, when it could be read.
    pub key: Option<Algorithm>,
    /// The signature algorithm of a certificate, CRL or certification request.
    pub signature: Option<Algorithm>,
    /// A certificate's or certification request's subject (RFC 4514).
    pub subject: Option<String>,
    /// A certificate's or CRL's issuer (RFC 4514).
    pub issuer: Option<String>,
    /// Validity start (a CRL's `thisUpdate`), RFC 3339 UTC.
    pub not_before: Option<String>,
    /// Validity end (a CRL's `nextUpdate`), RFC 3339 UTC.
    pub not_after: Option<String>,
    /// RSA/DSA key below 2048 bits, or a signature over MD5 or SHA-1.
    pub weak: bool,
}

/// True for file names that may hold certificates or keys.
pub fn wanted(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some(
            "pem"
                | "crt"
                | "cer"
                | "cert"
                | "key"
                | "pub"
                | "der"
                | "p12"
                | "pfx"
                | "jks"
                | "jceks"
                | "keystore"
                | "crl"
                | "csr"
                | "req"
        )
    ) || matches!(name, "id_rsa" | "id_ecdsa" | "id_ed25519" | "id_dsa")
}

fn alg(primitive: Primitive, family: &str, parameter: Option<String>, hash: Option<&str>) -> Algorithm {
    Algorithm { parameter, hash: hash.map(str::to_owned), ..Algorithm::new(primitive, family) }
}

/// The key algorithm of an SPKI / PKCS#8 algorithm identifier.
fn key_algorithm(
    oid: &ObjectIdentifier,
    params: Option<ObjectIdentifier>,
    key_bits: Option<usize>,
) -> Option<Algorithm> {
    let curve = params.and_then(|p| {
        Some(
            match p.to_string().as_str() {
                "1.2.840.10045.3.1.7" => "P-256",
                "1.3.132.0.34" => "P-384",
                "1.3.132.0.35" => "P-521",
                "1.3.132.0.10" => "secp256k1",
                _ => return None,
            }
            .to_owned(),
        )
    });
    Some(match oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => alg(Primitive::Pke, "RSA", key_bits.map(|b| b.to_string()), None),
        "1.2.840.10045.2.1" => alg(Primitive::Signature, "EC", curve, None),
        "1.3.101.112" => alg(Primitive::Signature, "EdDSA", Some("Ed25519".into()), None),
        "1.3.101.113" => alg(Primitive::Signature, "EdDSA", Some("Ed448".into()), None),
        "1.3.101.110" => alg(Primitive::KeyAgree, "ECDH", Some("X25519".into()), None),
        "1.3.101.111" => alg(Primitive::KeyAgree, "ECDH", Some("X448".into()), None),
        "1.2.840.10040.4.1" => alg(Primitive::Signature, "DSA", None, None),
        "2.16.840.1.101.3.4.3.17" => alg(Primitive::Signature, "ML-DSA", Some("44".into()), None),
        "2.16.840.1.101.3.4.3.18" => alg(Primitive::Signature, "ML-DSA", Some("65".into()), None),
        "2.16.840.1.101.3.4.3.19" => alg(Primitive::Signature, "ML-DSA", Some("87".into()), None),
        "2.16.840.1.101.3.4.4.1" => alg(Primitive::Kem, "ML-KEM", Some("512".into()), None),
        "2.16.840.1.101.3.4.4.2" => alg(Primitive::Kem, "ML-KEM", Some("768".into()), None),
        "2.16.840.1.101.3.4.4.3" => alg(Primitive::Kem, "ML-KEM", Some("1024".into()), None),
        _ => return None,
    })
}

/// A certificate's signature algorithm.
fn signature_algorithm(oid: &ObjectIdentifier) -> Option<Algorithm> {
    let (family, hash) = match oid.to_string().as_str() {
        "1.2.840.113549.1.1.4" => ("RSASSA-PKCS1", Some("MD5")),
        "1.2.840.113549.1.1.5" => ("RSASSA-PKCS1", Some("SHA-1")),
        "1.2.840.113549.1.1.11" => ("RSASSA-PKCS1", Some("SHA-256")),
        "1.2.840.113549.1.1.12" => ("RSASSA-PKCS1", Some("SHA-384")),
        "1.2.840.113549.1.1.13" => ("RSASSA-PKCS1", Some("SHA-512")),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", None),
        "1.2.840.10045.4.1" => ("ECDSA", Some("SHA-1")),
        "1.2.840.10045.4.3.2" => ("ECDSA", Some("SHA-256")),
        "1.2.840.10045.4.3.3" => ("ECDSA", Some("SHA-384")),
        "1.2.840.10045.4.3.4" => ("ECDSA", Some("SHA-512")),
        "1.3.101.112" => return Some(alg(Primitive::Signature, "EdDSA", Some("Ed25519".into()), None)),
        "1.3.101.113" => return Some(alg(Primitive::Signature, "EdDSA", Some("Ed448".into()), None)),
        _ => return None,
    };
    Some(alg(Primitive::Signature, family, None, hash))
}

/// Bits of an RSA modulus from a DER `RSAPublicKey` (SEQUENCE { n, e }).
fn rsa_bits(der: &[u8]) -> Option<usize> {
    let seq = SequenceOf::<UintRef<'_>, 2>::from_der(der).ok()?;
    let n = seq.get(0)?.as_bytes();
    let lead = n.first().map_or(0, |b| 8 - b.leading_zeros() as usize);
    Some((n.len().saturating_sub(1)) * 8 + lead)
}

fn spki_key(spki: &SubjectPublicKeyInfoRef<'_>) -> Option<Algorithm> {
    let params = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let bits = spki.subject_public_key.as_bytes().and_then(rsa_bits);
    key_algorithm(&spki.algorithm.oid, params, bits)
}

/// RFC 3339 UTC from seconds since the epoch (proleptic Gregorian, Howard Hinnant's algorithm).
fn rfc3339(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn weak(key: &Option<Algorithm>, sig: &Option<Algorithm>) -> bool {
    let small = key.as_ref().is_some_and(|k| {
        matches!(k.family.as_deref(), Some("RSA" | "DSA"))
            && k.parameter.as_deref().and_then(|p| p.parse::<u32>().ok()).is_some_and(|b| b < 2048)
    });
    small || sig.as_ref().is_some_and(|s| matches!(s.hash.as_deref(), Some("MD5" | "SHA-1")))
}

fn material(
    file: &str,
    line: u32,
    kind: MaterialKind,
    format: &str,
    key: Option<Algorithm>,
) -> CryptoMaterial {
    CryptoMaterial {
        file: file.to_owned(),
        line,
        kind,
        format: format.to_owned(),
        weak: weak(&key, &None),
        key,
        signature: None,
        subject: None,
        issuer: None,
        not_before: None,
        not_after: None,
    }
}

/// A DER X.509 certificate, described.
fn certificate(file: &str, line: u32, format: &str, der: &[u8]) -> Option<CryptoMaterial> {
    let cert = Certificate::from_der(der).ok()?;
    let tbs = &cert.tbs_certificate;
    let key = spki_key(&tbs.subject_public_key_info.owned_to_ref());
    let signature = signature_algorithm(&cert.signature_algorithm.oid);
    Some(CryptoMaterial {
        weak: weak(&key, &signature),
        key,
        signature,
        subject: Some(tbs.subject.to_string()),
        issuer: Some(tbs.issuer.to_string()),
        not_before: Some(rfc3339(tbs.validity.not_before.to_unix_duration().as_secs())),
        not_after: Some(rfc3339(tbs.validity.not_after.to_unix_duration().as_secs())),
        ..material(file, line, MaterialKind::Certificate, format, None)
    })
}

/// A DER X.509 CRL, described: a CRL is signed, so its signature algorithm is in use.
fn crl(file: &str, line: u32, format: &str, der: &[u8]) -> Option<CryptoMaterial> {
    let list = x509_cert::crl::CertificateList::from_der(der).ok()?;
    let tbs = &list.tbs_cert_list;
    let signature = signature_algorithm(&list.signature_algorithm.oid);
    Some(CryptoMaterial {
        weak: weak(&None, &signature),
        signature,
        issuer: Some(tbs.issuer.to_string()),
        not_before: Some(rfc3339(tbs.this_update.to_unix_duration().as_secs())),
        not_after: tbs.next_update.map(|t| rfc3339(t.to_unix_duration().as_secs())),
        ..material(file, line, MaterialKind::Crl, format, None)
    })
}

/// A DER PKCS#10 certification request, described: its key and its signature algorithm.
fn certificate_request(file: &str, line: u32, format: &str, der: &[u8]) -> Option<CryptoMaterial> {
    let req = x509_cert::request::CertReq::from_der(der).ok()?;
    let key = spki_key(&req.info.public_key.owned_to_ref());
    let signature = signature_algorithm(&req.algorithm.oid);
    Some(CryptoMaterial {
        weak: weak(&key, &signature),
        key,
        signature,
        subject: Some(req.info.subject.to_string()),
        ..material(file, line, MaterialKind::CertificateRequest, format, None)
    })
}

/// The key of a DER PKCS#8 `PrivateKeyInfo`, or `None` when `der` is not one.
fn pkcs8_key(der: &[u8]) -> Option<Option<Algorithm>> {
    let info = pkcs8::PrivateKeyInfo::from_der(der).ok()?;
    let params = info.algorithm.parameters.and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let bits = (info.algorithm.oid.to_string() == "1.2.840.113549.1.1.1")
        .then(|| rsa_private_bits(info.private_key))
        .flatten();
    Some(key_algorithm(&info.algorithm.oid, params, bits))
}

fn from_pem_block(file: &str, line: u32, label: &str, der: &[u8]) -> Option<CryptoMaterial> {
    Some(match label {
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
            certificate(file, line, "PEM X.509", der)?
        }
        "X509 CRL" => crl(file, line, "PEM X.509 CRL", der)?,
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            certificate_request(file, line, "PEM PKCS#10", der)?
        }
        "PUBLIC KEY" => {
            let spki = SubjectPublicKeyInfoRef::from_der(der).ok()?;
            material(file, line, MaterialKind::PublicKey, "PEM SPKI", spki_key(&spki))
        }
        "RSA PUBLIC KEY" => {
            let bits = rsa_bits(der).map(|b| b.to_string());
            material(
                file,
                line,
                MaterialKind::PublicKey,
                "PEM PKCS#1",
                Some(alg(Primitive::Pke, "RSA", bits, None)),
            )
        }
        "PRIVATE KEY" => {
            material(file, line, MaterialKind::PrivateKey, "PEM PKCS#8", pkcs8_key(der).flatten())
        }
        "RSA PRIVATE KEY" => {
            let bits = rsa_private_bits(der).map(|b| b.to_string());
            material(
                file,
                line,
                MaterialKind::PrivateKey,
                "PEM PKCS#1",
                Some(alg(Primitive::Pke, "RSA", bits, None)),
            )
        }
        "EC PRIVATE KEY" => material(
            file,
            line,
            MaterialKind::PrivateKey,
            "PEM SEC1",
            Some(alg(Primitive::Signature, "EC", None, None)),
        ),
        "ENCRYPTED PRIVATE KEY" => {
            material(file, line, MaterialKind::PrivateKey, "PEM PKCS#8 encrypted", None)
        }
        "OPENSSH PRIVATE KEY" => material(file, line, MaterialKind::PrivateKey, "OpenSSH", None),
        "DSA PRIVATE KEY" => material(
            file,
            line,
            MaterialKind::PrivateKey,
            "PEM",
            Some(alg(Primitive::Signature, "DSA", None, None)),
        ),
        _ => return None,
    })
}

/// Bits of the modulus of a DER PKCS#1 `RSAPrivateKey` (SEQUENCE { version, n, … }).
fn rsa_private_bits(der: &[u8]) -> Option<usize> {
    // Decode the first two INTEGERs by hand: the sequence has nine, and only n matters.
    let mut reader = pkcs8::der::SliceReader::new(der).ok()?;
    pkcs8::der::Header::decode(&mut reader).ok()?;
    let _version = UintRef::decode(&mut reader).ok()?;
    let n = UintRef::decode(&mut reader).ok()?;
    let bytes = n.as_bytes();
    let lead = bytes.first().map_or(0, |b| 8 - b.leading_zeros() as usize);
    Some(bytes.len().saturating_sub(1) * 8 + lead)
}

/// The key in an OpenSSH public key line (`ssh-rsa AAAA… comment`).
fn openssh_public(file: &str, line: u32, text: &str) -> Option<CryptoMaterial> {
    let mut parts = text.split_whitespace();
    let kind = parts.next()?;
    let blob = base64::engine::general_purpose::STANDARD.decode(parts.next()?).ok()?;
    let key = match kind {
        "ssh-rsa" => {
            // string "ssh-rsa", mpint e, mpint n (RFC 4253 6.6).
            let mut rest = blob.as_slice();
            let mut take = || -> Option<&[u8]> {
                let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
                let (field, tail) = rest.get(4..)?.split_at_checked(len)?;
                rest = tail;
                Some(field)
            };
            let (_, _, n) = (take()?, take()?, take()?);
            let n = n.strip_prefix(&[0]).unwrap_or(n);
            let lead = n.first().map_or(0, |b| 8 - b.leading_zeros() as usize);
            alg(Primitive::Pke, "RSA", Some((n.len().saturating_sub(1) * 8 + lead).to_string()), None)
        }
        "ssh-ed25519" => alg(Primitive::Signature, "EdDSA", Some("Ed25519".into()), None),
        "ecdsa-sha2-nistp256" => alg(Primitive::Signature, "ECDSA", Some("P-256".into()), None),
        "ecdsa-sha2-nistp384" => alg(Primitive::Signature, "ECDSA", Some("P-384".into()), None),
        "ecdsa-sha2-nistp521" => alg(Primitive::Signature, "ECDSA", Some("P-521".into()), None),
        "ssh-dss" => alg(Primitive::Signature, "DSA", None, None),
        _ => return None,
    };
    Some(material(file, line, MaterialKind::PublicKey, "OpenSSH", Some(key)))
}

/// Finds every certificate and key in `text` (the file at `rel`). Blocks that do not decode are
/// skipped: a `.pem` with a typo is not a scan error.
pub fn read_material(rel: &str, text: &str) -> Vec<CryptoMaterial> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, l)) = lines.next() {
        let lineno = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let l = l.trim();
        if let Some(label) = l.strip_prefix("-----BEGIN ").and_then(|r| r.strip_suffix("-----")) {
            let end = format!("-----END {label}-----");
            let mut b64 = String::new();
            for (_, body) in lines.by_ref() {
                let body = body.trim();
                if body == end {
                    break;
                }
                // Skip RFC 1421 headers (`Proc-Type:`, `DEK-Info:`) of legacy encrypted keys.
                if !body.contains(':') {
                    b64.push_str(body);
                }
            }
            let der = base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()).unwrap_or_default();
            let found = from_pem_block(rel, lineno, label, &der).or_else(|| {
                // A private key that does not parse is still a private key in the tree.
                label
                    .ends_with("PRIVATE KEY")
                    .then(|| material(rel, lineno, MaterialKind::PrivateKey, "PEM", None))
            });
            out.extend(found);
        } else if l.starts_with("ssh-") || l.starts_with("ecdsa-sha2-") {
            out.extend(openssh_public(rel, lineno, l));
        }
    }
    out
}

/// JKS (`0xFEEDFEED`) and JCEKS (`0xCECECECE`) magic numbers.
const JKS_MAGIC: [u8; 4] = [0xFE, 0xED, 0xFE, 0xED];
const JCEKS_MAGIC: [u8; 4] = [0xCE, 0xCE, 0xCE, 0xCE];

/// True when `der` opens like a PKCS#12 PFX: SEQUENCE { INTEGER 3, ContentInfo { OID
/// pkcs7-data or pkcs7-signedData, … }, … } (RFC 7292 section 4).
fn is_pkcs12(der: &[u8]) -> bool {
    use pkcs8::der::{Header, SliceReader, Tag};
    let check = || -> Option<bool> {
        let mut r = SliceReader::new(der).ok()?;
        let outer = Header::decode(&mut r).ok()?;
        if outer.tag != Tag::Sequence {
            return Some(false);
        }
        let version = UintRef::decode(&mut r).ok()?;
        if version.as_bytes() != [3] {
            return Some(false);
        }
        let content_info = Header::decode(&mut r).ok()?;
        if content_info.tag != Tag::Sequence {
            return Some(false);
        }
        let oid = ObjectIdentifier::decode(&mut r).ok()?.to_string();
        Some(matches!(oid.as_str(), "1.2.840.113549.1.7.1" | "1.2.840.113549.1.7.2"))
    };
    check().unwrap_or(false)
}

/// A DER PKCS#1 `RSAPrivateKey`: SEQUENCE { INTEGER 0 (or 1), n, e, … } with a modulus of at
/// least 512 bits, so random DER does not pass for a key.
fn pkcs1_private_bits(der: &[u8]) -> Option<usize> {
    let mut reader = pkcs8::der::SliceReader::new(der).ok()?;
    let header = pkcs8::der::Header::decode(&mut reader).ok()?;
    if header.tag != pkcs8::der::Tag::Sequence {
        return None;
    }
    let version = UintRef::decode(&mut reader).ok()?;
    if !matches!(version.as_bytes(), [0] | [1]) {
        return None;
    }
    let n = UintRef::decode(&mut reader).ok()?;
    let _e = UintRef::decode(&mut reader).ok()?;
    let _d = UintRef::decode(&mut reader).ok()?;
    let bytes = n.as_bytes();
    let lead = bytes.first().map_or(0, |b| 8 - b.leading_zeros() as usize);
    let bits = bytes.len().saturating_sub(1) * 8 + lead;
    (bits >= 512).then_some(bits)
}

/// Finds the certificate, key or key store in a file's bytes: PEM text goes to
/// [`read_material`]; otherwise JKS / JCEKS by magic number, then DER as a certificate, a PKCS#8
/// private key, an SPKI public key, a PKCS#1 RSA private key or a PKCS#12 store. Anything else
/// gives nothing. Everything found is at line 1 (a binary file has no lines).
pub fn read_material_bytes(rel: &str, bytes: &[u8]) -> Vec<CryptoMaterial> {
    if let Ok(text) = crate::tree::decode(bytes)
        && (text.contains("-----BEGIN ")
            || text.trim_start().starts_with("ssh-")
            || text.trim_start().starts_with("ecdsa-sha2-"))
    {
        return read_material(rel, &text);
    }
    if bytes.starts_with(&JKS_MAGIC) || bytes.starts_with(&JCEKS_MAGIC) {
        let format = if bytes.starts_with(&JKS_MAGIC) { "JKS" } else { "JCEKS" };
        return vec![material(rel, 1, MaterialKind::KeyStore, format, None)];
    }
    if bytes.first() != Some(&0x30) {
        return Vec::new();
    }
    let found = certificate(rel, 1, "DER X.509", bytes)
        .or_else(|| crl(rel, 1, "DER X.509 CRL", bytes))
        .or_else(|| certificate_request(rel, 1, "DER PKCS#10", bytes))
        .or_else(|| pkcs8_key(bytes).map(|key| material(rel, 1, MaterialKind::PrivateKey, "DER PKCS#8", key)))
        .or_else(|| {
            let spki = SubjectPublicKeyInfoRef::from_der(bytes).ok()?;
            Some(material(rel, 1, MaterialKind::PublicKey, "DER SPKI", spki_key(&spki)))
        })
        .or_else(|| {
            let bits = pkcs1_private_bits(bytes)?;
            let key = alg(Primitive::Pke, "RSA", Some(bits.to_string()), None);
            Some(material(rel, 1, MaterialKind::PrivateKey, "DER PKCS#1", Some(key)))
        })
        .or_else(|| is_pkcs12(bytes).then(|| material(rel, 1, MaterialKind::KeyStore, "PKCS#12", None)));
    found.into_iter().collect()
}

impl CryptoMaterial {
    /// The algorithm uses this object implies (its key, its signature), for the algorithm inventory.
    pub fn algorithms(&self) -> Vec<Algorithm> {
        let key = self.key.clone().map(|mut k| {
            k.function = Function::Use;
            k
        });
        key.into_iter().chain(self.signature.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn binary_garbage_and_truncation_give_nothing_or_a_store() {
        assert!(read_material_bytes("a.der", &[]).is_empty());
        assert!(read_material_bytes("a.der", &[0x30, 0x82, 0xff, 0xff, 0x02]).is_empty());
        assert!(read_material_bytes("a.der", &[0x30, 0x03, 0x02, 0x01, 0x03]).is_empty());
        assert!(read_material_bytes("a.p12", b"\x00\x01binary").is_empty());
        // A JKS is known by its magic alone; nothing after it is read.
        let jks = read_material_bytes("k.jks", &[0xFE, 0xED, 0xFE, 0xED, 0, 0]);
        assert_eq!((jks.len(), jks[0].kind, jks[0].format.as_str()), (1, MaterialKind::KeyStore, "JKS"));
        // PEM text in a .der-named file still reads as PEM.
        let pem = read_material_bytes(
            "x.der",
            b"-----BEGIN RSA PRIVATE KEY-----\nnot base64\n-----END RSA PRIVATE KEY-----\n",
        );
        assert_eq!(pem[0].kind, MaterialKind::PrivateKey);
    }

    #[test]
    fn openssh_and_garbage() {
        assert!(read_material("k.pub", "ssh-ed25519 !!! x\n-----BEGIN PUBLIC KEY-----\nzz\n").is_empty());
        let m = read_material("k.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHm4 me\n");
        assert_eq!(m[0].key.as_ref().and_then(|k| k.parameter.clone()), Some("Ed25519".into()));
        let p = read_material(
            "a.key",
            "-----BEGIN RSA PRIVATE KEY-----\nnot base64\n-----END RSA PRIVATE KEY-----\n",
        );
        assert_eq!((p.len(), p[0].kind), (1, MaterialKind::PrivateKey));
    }
}
