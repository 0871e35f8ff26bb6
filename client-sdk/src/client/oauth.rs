//! OAuth / OIDC login from the client side: the provider's login URL to open in a browser, and
//! the completion of the login with the `code` and `state` the provider sent back (as a loopback
//! listener of a CLI receives them).

use reqwest::{Method, StatusCode, Url};

use super::{Client, Credential, Error, Req, api_error_from, retry_after};
use crate::types::TokenResponse;

/// Options of [`Client::oauth_authorize_url`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuthAuthorize {
    /// Where the daemon sends the browser after the login, with a one-time `?code=` for
    /// [`TokenGrant::AuthorizationCode`](super::TokenGrant::AuthorizationCode); it must be one of
    /// the daemon's allowed redirect targets. `None`: the callback answers with the tokens.
    pub redirect_to: Option<String>,
    /// Link the provider account to the caller's account (needs the client's session) instead of
    /// logging in.
    pub link: bool,
    /// An invitation's token: a new account created by this login joins the inviting tenant.
    pub invite_token: Option<String>,
}

/// How the daemon completed an OAuth login.
#[derive(Debug, Clone, PartialEq)]
pub enum OAuthCallback {
    /// The login had no `redirect_to`: the tokens (the client now holds them).
    Tokens(TokenResponse),
    /// The login had a `redirect_to`: where the daemon sent the browser, with the one-time
    /// `code` ([`OAuthCallback::code`]) to trade at `/auth/token`.
    Redirect(Url),
}

impl OAuthCallback {
    /// The one-time code of a [`Redirect`](OAuthCallback::Redirect).
    pub fn code(&self) -> Option<String> {
        match self {
            OAuthCallback::Tokens(_) => None,
            OAuthCallback::Redirect(url) => {
                url.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned())
            }
        }
    }
}

fn provider_path(provider: &str, step: &str) -> String {
    format!("api/v1/auth/oauth/{}/{step}", super::endpoints::segment(provider))
}

impl Client {
    /// Sends `req` once and hands back the answer unread: a 302 is the answer here, not a hop
    /// to follow (the shared HTTP client follows redirects), and a state or code is spent by
    /// the first try, so nothing is retried.
    async fn send_once_unredirected(
        &self,
        req: &Req,
        cookies: &[String],
    ) -> Result<reqwest::Response, Error> {
        let mut builder = self.build(req)?;
        if !cookies.is_empty() {
            builder = builder.header(reqwest::header::COOKIE, cookies.join("; "));
        }
        let request = builder.build().map_err(Error::Transport)?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(Error::Transport)?;
        let resp = http.execute(request).await.map_err(Error::Transport)?;
        let status = resp.status();
        if status.is_success() || status == StatusCode::FOUND {
            return Ok(resp);
        }
        let wait = retry_after(resp.headers());
        let body = resp.bytes().await.map_err(Error::Transport)?;
        Err(api_error_from(status.as_u16(), wait, &body))
    }

    /// The absolute `Location` of a 302.
    fn location(resp: &reqwest::Response, path: &str) -> Result<Url, Error> {
        let decode = |message: &str| Error::Decode { path: path.to_owned(), message: message.to_owned() };
        if resp.status() != StatusCode::FOUND {
            return Err(decode(&format!("expected a redirect, got HTTP {}", resp.status().as_u16())));
        }
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| decode("a redirect without a readable Location"))?;
        resp.url().join(location).map_err(|e| decode(&format!("Location {location}: {e}")))
    }

    /// `GET /auth/oauth/{provider}/authorize` (public; with `link`, the caller's session): starts
    /// an OAuth login and returns the provider's login page to open in a browser. The login ends
    /// at the daemon's callback ([`oauth_callback`](Client::oauth_callback)).
    ///
    /// Errors: [`Error::Api`] 404 for a provider the daemon does not have; 400 for a
    /// `redirect_to` it does not allow; 401 with `link` but no session (403 with an API key);
    /// 502 when the provider's discovery failed.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::{Client, OAuthAuthorize};
    /// let client = Client::anonymous("http://127.0.0.1:8440")?;
    /// let opts = OAuthAuthorize { redirect_to: Some("http://127.0.0.1:8765/done".into()), ..Default::default() };
    /// let url = client.oauth_authorize_url("github", &opts).await?;
    /// println!("open {url}");
    /// # Ok(()) }
    /// ```
    pub async fn oauth_authorize_url(&self, provider: &str, opts: &OAuthAuthorize) -> Result<Url, Error> {
        let path = provider_path(provider, "authorize");
        let mut query = Vec::new();
        if let Some(r) = &opts.redirect_to {
            query.push(("redirect_to".to_owned(), r.clone()));
        }
        if opts.link {
            query.push(("link".to_owned(), "true".to_owned()));
        }
        if let Some(t) = &opts.invite_token {
            query.push(("invite_token".to_owned(), t.clone()));
        }
        let mut req = Req::new(Method::GET, path.clone()).query(query);
        if !opts.link {
            req = req.anonymous();
        }
        let resp = self.send_once_unredirected(&req, &[]).await?;
        let url = Self::location(&resp, &path)?;
        // The daemon binds the login to the browser that started it: this client is that browser.
        let set: Vec<String> = resp
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .map(|pair| pair.trim().to_owned())
            .collect();
        if let Ok(mut kept) = self.inner.oauth_cookies.lock() {
            kept.extend(set);
            // A handful of logins in flight at most; older ones have expired anyway.
            let excess = kept.len().saturating_sub(8);
            kept.drain(..excess);
        }
        Ok(url)
    }

    /// `GET /auth/oauth/{provider}/callback` (public): completes a login with the `code` and
    /// `state` the provider appended to the callback URL (what a browser would deliver; a CLI
    /// that received them itself passes them on). Only the client whose
    /// [`oauth_authorize_url`](Client::oauth_authorize_url) started the login can complete it:
    /// the daemon binds the state to a cookie it set there, which this client sends back. A login started without `redirect_to` answers
    /// with the tokens, which the client then holds; one with `redirect_to` answers with that
    /// target and a one-time code.
    ///
    /// Errors: [`Error::Api`] 400 `OAUTH_STATE_INVALID` (unknown, used or expired `state`, or a
    /// login this client did not start); 401
    /// when the ID token does not verify; 403 when the provider, the email rules or closed
    /// registration refuse; 409 when an unlinked account has the email or the identity belongs
    /// to another account; 502 when the provider fails.
    ///
    /// ```no_run
    /// # async fn f(code: &str, state: &str) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::{Client, OAuthCallback, TokenGrant};
    /// let client = Client::anonymous("http://127.0.0.1:8440")?;
    /// match client.oauth_callback("github", code, state).await? {
    ///     OAuthCallback::Tokens(_) => println!("logged in"),
    ///     redirect => {
    ///         let code = redirect.code().unwrap_or_default();
    ///         client.token(&TokenGrant::AuthorizationCode(code)).await?;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn oauth_callback(
        &self,
        provider: &str,
        code: &str,
        state: &str,
    ) -> Result<OAuthCallback, Error> {
        let path = provider_path(provider, "callback");
        let req = Req::new(Method::GET, path.clone())
            .anonymous()
            .query([("code".to_owned(), code.to_owned()), ("state".to_owned(), state.to_owned())]);
        let cookies = self.inner.oauth_cookies.lock().map(|c| c.clone()).unwrap_or_default();
        let resp = self.send_once_unredirected(&req, &cookies).await?;
        if resp.status() == StatusCode::FOUND {
            return Self::location(&resp, &path).map(OAuthCallback::Redirect);
        }
        let bytes = resp.bytes().await.map_err(Error::Transport)?;
        let tokens: TokenResponse =
            serde_json::from_slice(&bytes).map_err(|e| Error::Decode { path, message: e.to_string() })?;
        self.set_credential(Some(Credential::Tokens {
            access: tokens.access_token.clone(),
            refresh: tokens.refresh_token.clone(),
        }));
        Ok(OAuthCallback::Tokens(tokens))
    }
}
