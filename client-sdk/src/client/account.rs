//! The caller's own account: password reset, the OAuth2 token endpoint, linked OAuth identities,
//! notification preferences and invitations into the current tenant.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Credential, Error, ListQuery, Req};
use crate::types::{
    CreateInvite, CreatedInvite, ForgotPasswordRequest, NotificationPrefs, OAuthIdentity, OAuthIdentityId,
    Page, ResetPasswordRequest, TokenResponse,
};

/// A grant for `POST /auth/token` (RFC 6749), the OAuth2 way to obtain tokens.
#[derive(Clone, PartialEq, Eq)]
pub enum TokenGrant {
    /// `grant_type=password` (RFC 6749 §4.3): an email and password.
    Password {
        /// The account's email.
        username: String,
        /// Its password.
        password: String,
    },
    /// `grant_type=refresh_token` (§6): a refresh token, spent by the exchange.
    RefreshToken(String),
    /// `grant_type=authorization_code` (§4.1.3): the one-time `code` an OAuth login appended to
    /// its `redirect_to` (see [`OAuthCallback::Redirect`](super::OAuthCallback::Redirect)).
    AuthorizationCode(String),
    /// `grant_type=authorization_code` with `code_verifier` (RFC 7636): the code of a login
    /// started with a PKCE `code_challenge` (a CLI's loopback login), which only its verifier
    /// redeems.
    AuthorizationCodePkce {
        /// The one-time code the login sent to the loopback redirect.
        code: String,
        /// The verifier whose S256 was the login's `code_challenge`.
        verifier: String,
    },
}

impl std::fmt::Debug for TokenGrant {
    // Secrets never reach logs, even through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenGrant::Password { username, .. } => write!(f, "Password({username}, …)"),
            TokenGrant::RefreshToken(_) => f.write_str("RefreshToken(…)"),
            TokenGrant::AuthorizationCode(_) => f.write_str("AuthorizationCode(…)"),
            TokenGrant::AuthorizationCodePkce { .. } => f.write_str("AuthorizationCodePkce(…)"),
        }
    }
}

impl TokenGrant {
    /// The form fields, `application/x-www-form-urlencoded`.
    fn form(&self) -> String {
        let pairs: Vec<(&str, &str)> = match self {
            TokenGrant::Password { username, password } => {
                vec![("grant_type", "password"), ("username", username), ("password", password)]
            }
            TokenGrant::RefreshToken(t) => vec![("grant_type", "refresh_token"), ("refresh_token", t)],
            TokenGrant::AuthorizationCode(c) => vec![("grant_type", "authorization_code"), ("code", c)],
            TokenGrant::AuthorizationCodePkce { code, verifier } => {
                vec![("grant_type", "authorization_code"), ("code", code), ("code_verifier", verifier)]
            }
        };
        // The URL parser's query serializer is the WHATWG form encoder, the body's encoding.
        let mut url = reqwest::Url::parse("form:").unwrap_or_else(|_| unreachable!("a constant URL"));
        url.query_pairs_mut().extend_pairs(pairs);
        url.query().unwrap_or_default().to_owned()
    }
}

fn v1(path: impl std::fmt::Display) -> String {
    format!("api/v1/{path}")
}

impl Client {
    /// `POST /auth/forgot-password` (public): mails a single-use reset token if an active
    /// account has this email. The answer is the same whether or not it has, so it reveals nothing.
    ///
    /// Errors: [`Error::Api`] 400 (`VALIDATION_FAILED`, field `body.email`) for a malformed email.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), cairn_sdk::Error> {
    /// let client = cairn_sdk::Client::anonymous("http://127.0.0.1:8440")?;
    /// client.forgot_password("ada@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub async fn forgot_password(&self, email: &str) -> Result<(), Error> {
        let body = ForgotPasswordRequest { email: email.to_owned() };
        self.empty(Req::new(Method::POST, v1("auth/forgot-password")).anonymous().json(&body)?).await
    }

    /// `POST /auth/reset-password` (public): sets a new password with the mailed token (once,
    /// within the hour). Every refresh token of the account is revoked: sessions end when their
    /// access token expires; log in again.
    ///
    /// Errors: [`Error::Api`] 400 with field `body.token` (unknown, used or expired token) or
    /// `body.password` (the policy refuses the password).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), cairn_sdk::Error> {
    /// let client = cairn_sdk::Client::anonymous("http://127.0.0.1:8440")?;
    /// client.reset_password("token-from-the-mail", "a new long passphrase").await?;
    /// # Ok(()) }
    /// ```
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<(), Error> {
        let body = ResetPasswordRequest { token: token.to_owned(), password: new_password.to_owned() };
        self.empty(Req::new(Method::POST, v1("auth/reset-password")).anonymous().json(&body)?).await
    }

    /// `POST /auth/token` (public): the OAuth2 token endpoint, form-encoded. On success the
    /// client holds the new tokens, as after [`login`](Client::login).
    ///
    /// Errors: [`Error::Api`] 401 for wrong credentials or an unknown, used or expired code or
    /// refresh token (`TOKEN_REUSED` when a spent refresh token comes back: its family is revoked).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::{Client, TokenGrant};
    /// let client = Client::anonymous("http://127.0.0.1:8440")?;
    /// let grant = TokenGrant::Password { username: "ada@example.com".into(), password: "…".into() };
    /// let tokens = client.token(&grant).await?;
    /// println!("valid for {} s", tokens.expires_in);
    /// # Ok(()) }
    /// ```
    pub async fn token(&self, grant: &TokenGrant) -> Result<TokenResponse, Error> {
        // Not retried (a POST without a key): a code or refresh token is spent by the first try.
        let req = Req::new(Method::POST, v1("auth/token"))
            .anonymous()
            .bytes("application/x-www-form-urlencoded", grant.form().into_bytes());
        let tokens: TokenResponse = self.json(req).await?;
        self.set_credential(Some(Credential::Tokens {
            access: tokens.access_token.clone(),
            refresh: tokens.refresh_token.clone(),
        }));
        Ok(tokens)
    }

    /// `GET /users/me/oauth-identities`, one page: the OAuth identities linked to the caller's
    /// account.
    ///
    /// Scope: any session or key of the account.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// let page = client.oauth_identities_page(&cairn_sdk::ListQuery::limit(10)).await?;
    /// println!("{} linked", page.total);
    /// # Ok(()) }
    /// ```
    pub async fn oauth_identities_page(&self, q: &ListQuery) -> Result<Page<OAuthIdentity>, Error> {
        self.page(&v1("users/me/oauth-identities"), q).await
    }

    /// `GET /users/me/oauth-identities`, every identity, as a stream.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use futures_util::TryStreamExt;
    /// let all: Vec<_> = client.oauth_identities(Default::default()).try_collect().await?;
    /// for i in all {
    ///     println!("{} {}", i.provider, i.email.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn oauth_identities(&self, q: ListQuery) -> BoxStream<'static, Result<OAuthIdentity, Error>> {
        self.paginate(v1("users/me/oauth-identities"), q)
    }

    /// `DELETE /users/me/oauth-identities/{id}`: unlinks one of the caller's identities.
    ///
    /// Scope: the account's session or a key with write access to the account.
    ///
    /// Errors: [`Error::Api`] 404 when the identity is not the caller's; 409 when it is
    /// the account's last way to log in (`LAST_LOGIN_METHOD`: no password and no other identity).
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client, id: cairn_sdk::types::OAuthIdentityId) -> Result<(), cairn_sdk::Error> {
    /// client.delete_oauth_identity(id).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_oauth_identity(&self, id: OAuthIdentityId) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("users/me/oauth-identities/{id}")))).await
    }

    /// `GET /users/me/notification-prefs`: the caller's channels per event kind in the current
    /// tenant, every kind listed (unset ones at their defaults).
    ///
    /// Errors: [`Error::Api`] 401 without a credential.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// let prefs = client.notification_prefs().await?;
    /// for (event, ch) in &prefs.events {
    ///     println!("{event}: in-app {} mail {}", ch.in_app, ch.email);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn notification_prefs(&self) -> Result<NotificationPrefs, Error> {
        self.json(Req::new(Method::GET, v1("users/me/notification-prefs"))).await
    }

    /// `PUT /users/me/notification-prefs`: replaces the caller's preferences in the current
    /// tenant; kinds left out go back to their defaults. Returns the preferences now.
    ///
    /// Errors: [`Error::Api`] 400 (`VALIDATION_FAILED`) naming each unknown event kind.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::{ChannelPrefs, NotificationPrefs};
    /// let mut prefs = NotificationPrefs::defaults();
    /// prefs.events.insert("scan.failed".into(), ChannelPrefs { in_app: true, email: true });
    /// client.set_notification_prefs(&prefs).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_notification_prefs(
        &self,
        prefs: &NotificationPrefs,
    ) -> Result<NotificationPrefs, Error> {
        self.json(Req::new(Method::PUT, v1("users/me/notification-prefs")).json(prefs)?).await
    }

    /// `POST /invites` (201): invites an email address into the current tenant. The answer's
    /// `token` is shown only now; the invitee passes it as `invite_token` to
    /// [`register`](Client::register).
    ///
    /// Scope: a tenant admin (role `admin` or `owner`; a key needs scope `admin`).
    ///
    /// Errors: [`Error::Api`] 403 for anyone else, or for a role above the caller's; 400 for a
    /// malformed email or the role `owner`.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::{CreateInvite, Role};
    /// let invite = client.create_invite(&CreateInvite { email: "bob@example.com".into(), role: Role::Member }).await?;
    /// println!("send {} to bob", invite.token);
    /// # Ok(()) }
    /// ```
    pub async fn create_invite(&self, body: &CreateInvite) -> Result<CreatedInvite, Error> {
        self.json(Req::new(Method::POST, v1("invites")).idempotent_create().json(body)?).await
    }
}
