//! OAuth login through the SDK against the daemon suite's fake provider on 127.0.0.1 (SQLite and,
//! when CAIRN_TEST_POSTGRES_URL is set, Postgres): the provider's login URL, the callback
//! completed with the provider's code and state (as a CLI's loopback listener would), the
//! `redirect_to` variant whose one-time code is traded at `/auth/token`, linking an identity
//! to a password account, and listing and unlinking identities.

use cairn_sdk::types::RegisterRequest;
use cairn_sdk::{Client, OAuthAuthorize, OAuthCallback, TokenGrant};
use futures_util::TryStreamExt;

use crate::common::{Daemon, Opts};

/// The daemon suite's fake provider, shared rather than copied.
#[allow(dead_code)]
#[path = "../../../tests/daemon/fake_idp.rs"]
mod fake_idp;

use fake_idp::{Account, FakeIdp};

/// The provider approves the login at `at_provider` (the browser's part) and returns the code and
/// state it sent back to the daemon's callback.
async fn approve(at_provider: &reqwest::Url) -> (String, String) {
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("http");
    let resp = browser.get(at_provider.clone()).send().await.expect("provider");
    assert_eq!(resp.status(), 302, "the provider approves");
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).expect("location");
    let back = reqwest::Url::parse(location).expect("callback URL");
    assert!(back.path().ends_with("/auth/oauth/corp/callback"), "{back}");
    let param = |name: &str| back.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    (param("code").expect("code"), param("state").expect("state"))
}

async fn start(postgres: bool) -> Option<(Daemon, FakeIdp, tempfile::TempDir)> {
    let idp = FakeIdp::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("cairnd.toml");
    std::fs::write(&file, idp.config()).expect("config");
    let loaded =
        cairn_daemon::config::Config::load(Some(&file), |_| None, &Default::default()).expect("load");
    let opts = Opts { postgres, path_roots: Vec::new(), workers: 1, vulndb: false };
    let daemon = Daemon::start_with(opts, move |c| c.oauth = loaded.oauth).await?;
    Some((daemon, idp, dir))
}

async fn oauth(postgres: bool) {
    let Some((daemon, idp, _dir)) = start(postgres).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let browser = Client::anonymous(&daemon.base).expect("client");

    // Sign-up by login: the callback answers with tokens, which the client then holds.
    idp.login_as(Account::new("alice-sub", "alice@example.test"));
    let at_provider =
        browser.oauth_authorize_url("corp", &OAuthAuthorize::default()).await.expect("authorize");
    assert!(at_provider.as_str().starts_with(&idp.base), "{at_provider}");
    let (code, state) = approve(&at_provider).await;
    let done = browser.oauth_callback("corp", &code, &state).await.expect("callback");
    assert!(matches!(done, OAuthCallback::Tokens(_)), "{done:?}");
    assert_eq!(done.code(), None);
    assert_eq!(browser.me().await.expect("me").user.email, "alice@example.test");
    let replayed = browser.oauth_callback("corp", &code, &state).await.expect_err("state is single use");
    assert_eq!(replayed.code(), Some("OAUTH_STATE_INVALID"), "{replayed}");

    // Alice's only way in is the identity: unlinking it is refused.
    let mine: Vec<_> = browser.oauth_identities(Default::default()).try_collect().await.expect("identities");
    assert_eq!(
        mine.iter().map(|i| (i.provider.as_str(), i.subject.as_str())).collect::<Vec<_>>(),
        [("corp", "alice-sub")]
    );
    let last = browser.delete_oauth_identity(mine[0].id).await.expect_err("the last way in");
    assert_eq!(last.code(), Some("LAST_LOGIN_METHOD"), "{last}");

    // With redirect_to: the daemon sends the browser there with a one-time code for /auth/token.
    let cli = Client::anonymous(&daemon.base).expect("client");
    let opts = OAuthAuthorize {
        redirect_to: Some("http://127.0.0.1:45678/cairn-login/done".into()),
        ..Default::default()
    };
    let (code, state) = approve(&cli.oauth_authorize_url("corp", &opts).await.expect("authorize")).await;
    let redirected = cli.oauth_callback("corp", &code, &state).await.expect("callback");
    let OAuthCallback::Redirect(target) = &redirected else { panic!("a redirect: {redirected:?}") };
    assert!(target.as_str().starts_with("http://127.0.0.1:45678/cairn-login/done?"), "{target}");
    assert!(cli.credential().is_none(), "no tokens before the code is traded");
    let one_time = redirected.code().expect("the one-time code");
    cli.token(&TokenGrant::AuthorizationCode(one_time.clone())).await.expect("code grant");
    assert_eq!(cli.me().await.expect("me").user.email, "alice@example.test");
    let spent = cli.token(&TokenGrant::AuthorizationCode(one_time)).await.expect_err("single use");
    assert_eq!(spent.status(), Some(401));

    // Linking needs a session; a password account links, lists and unlinks its identity.
    let bob = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &bob,
            &RegisterRequest {
                email: "bob@example.test".into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some("bob".into()),
                invite_token: None,
            },
        )
        .await;
    let link = OAuthAuthorize { link: true, ..Default::default() };
    let anonymous = Client::anonymous(&daemon.base).expect("client");
    let no_session = anonymous.oauth_authorize_url("corp", &link).await.expect_err("link without a session");
    assert_eq!(no_session.status(), Some(401));
    idp.login_as(Account::new("bob-at-corp", "bob@example.test"));
    let (code, state) = approve(&bob.oauth_authorize_url("corp", &link).await.expect("authorize")).await;
    // Another client (another browser) cannot finish Bob's link; Bob's can.
    let stranger = Client::anonymous(&daemon.base).expect("client");
    let foreign = stranger.oauth_callback("corp", &code, &state).await.expect_err("not this browser's login");
    assert_eq!(foreign.code(), Some("OAUTH_STATE_INVALID"), "{foreign}");
    bob.oauth_callback("corp", &code, &state).await.expect("linked");
    let page = bob.oauth_identities_page(&Default::default()).await.expect("page");
    assert_eq!((page.total, page.items[0].subject.as_str()), (1, "bob-at-corp"));
    bob.delete_oauth_identity(page.items[0].id).await.expect("unlink: bob has a password");
    assert_eq!(bob.oauth_identities_page(&Default::default()).await.expect("page").total, 0);
    let gone = bob.delete_oauth_identity(page.items[0].id).await.expect_err("already unlinked");
    assert!(gone.is_not_found(), "{gone}");

    let unknown =
        browser.oauth_authorize_url("nope", &OAuthAuthorize::default()).await.expect_err("no provider");
    assert!(unknown.is_not_found(), "{unknown}");
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_sqlite() {
    oauth(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_postgres() {
    oauth(true).await;
}
