//! Binds an OAuth `state` to the browser that started the login (login CSRF).
//!
//! `authorize` sets a short-lived cookie whose name is derived from the state and whose value is
//! the state; `callback` requires it. An attacker who finishes a login at the provider and sends a
//! victim's browser to the callback with the attacker's `code` and `state` fails: the victim's
//! browser never received that cookie. One cookie per login, so two tabs do not clobber each other.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::auth::secrets::sha256_hex;

/// The path the cookie is sent to: every provider's callback, nothing else.
const COOKIE_PATH: &str = "/api/v1/auth/oauth/";

/// The cookie's name for `state` (a prefix of its hash, so the name says nothing about it).
pub fn cookie_name(state: &str) -> String {
    format!("cairn_oauth_{}", &sha256_hex(state.as_bytes())[..16])
}

/// `Set-Cookie` for a login started with `state`: HttpOnly, SameSite=Lax (the provider's redirect
/// back is a top-level GET, which Lax lets through), Secure when the daemon is served over https.
pub fn set_cookie(state: &str, ttl: time::Duration, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={state}; Max-Age={}; Path={COOKIE_PATH}; HttpOnly; SameSite=Lax{secure}",
        cookie_name(state),
        ttl.whole_seconds()
    ))
    .ok()
}

/// `Set-Cookie` that removes the cookie of `state` once its login is over.
pub fn clear_cookie(state: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{}=; Max-Age=0; Path={COOKIE_PATH}; HttpOnly; SameSite=Lax",
        cookie_name(state)
    ))
    .ok()
}

/// Whether the request carries the cookie `authorize` set for `state`.
pub fn carries(headers: &HeaderMap, state: &str) -> bool {
    let name = cookie_name(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(n, v)| n == name && constant_time_eq(v.as_bytes(), state.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_cookie_set_for_this_state_matches() {
        let mut h = HeaderMap::new();
        assert!(!carries(&h, "abc"));
        let other = format!("{}=xyz", cookie_name("xyz"));
        h.insert(header::COOKIE, HeaderValue::from_str(&format!("a=b; {other}")).expect("header"));
        assert!(!carries(&h, "abc"), "another login's cookie");
        // The right name with another value (a forged pairing) does not match either.
        h.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("{}=xyz", cookie_name("abc"))).expect("header"),
        );
        assert!(!carries(&h, "abc"));
        h.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("{}=abc", cookie_name("abc"))).expect("header"),
        );
        assert!(carries(&h, "abc"));
        let set = set_cookie("abc", time::Duration::minutes(10), true).expect("value");
        let set = set.to_str().expect("ascii");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Secure"), "{set}");
        assert!(set.contains("Max-Age=600"), "{set}");
    }
}
