//! The caller's account through the SDK (SQLite and, when CAIRN_TEST_POSTGRES_URL is set,
//! Postgres): password reset by the mailed token, the OAuth2 token endpoint's password and
//! refresh grants, notification preferences, and an invitation accepted by registering with it.

use cairn_sdk::types::{ChannelPrefs, CreateInvite, NotificationPrefs, RegisterRequest, Role};
use cairn_sdk::{Client, Credential, TokenGrant};

use crate::common::{Daemon, Opts};

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "a different long passphrase";

async fn registered(daemon: &Daemon, email: &str, invite_token: Option<String>) -> Client {
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest {
                email: email.into(),
                password: PASSWORD.into(),
                display_name: None,
                tenant_name: invite_token.is_none().then(|| format!("t-{email}")),
                invite_token,
            },
        )
        .await;
    client
}

/// The reset token of the newest mail to `email`, read where the daemon delivers mail (its
/// pickup directory; the admin outbox never shows the token).
async fn mailed_reset_token(daemon: &Daemon, email: &str) -> String {
    crate::common::mailed_line(daemon.mail_dir(), email, "Reset token: ").await
}

async fn account(postgres: bool) {
    let opts = Opts { postgres, path_roots: Vec::new(), workers: 1, vulndb: false };
    let Some(daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let ada = registered(&daemon, "ada@example.test", None).await;
    let anonymous = Client::anonymous(&daemon.base).expect("client");

    // Forgotten password: the same answer for an unknown address, a field error for a malformed one.
    anonymous.forgot_password("ada@example.test").await.expect("forgot");
    anonymous.forgot_password("ghost@example.test").await.expect("unknown addresses are not revealed");
    let malformed = anonymous.forgot_password("not an email").await.expect_err("malformed");
    assert!(malformed.field_errors().iter().any(|f| f.field == "body.email"), "{malformed}");
    let token = mailed_reset_token(&daemon, "ada@example.test").await;
    let weak = anonymous.reset_password(&token, "short").await.expect_err("weak password");
    assert!(weak.field_errors().iter().any(|f| f.field == "body.password"), "{weak}");
    anonymous.reset_password(&token, NEW_PASSWORD).await.expect("reset");
    let spent = anonymous.reset_password(&token, NEW_PASSWORD).await.expect_err("single use");
    assert!(spent.field_errors().iter().any(|f| f.field == "body.token"), "{spent}");
    let revoked = ada.refresh().await.expect_err("the reset revokes every refresh token");
    assert_eq!(revoked.status(), Some(401), "{revoked}");

    // /auth/token: the password grant logs in (the client holds the pair), the refresh grant
    // rotates it, and a spent refresh token is refused.
    let wrong = TokenGrant::Password { username: "ada@example.test".into(), password: PASSWORD.into() };
    assert_eq!(anonymous.token(&wrong).await.expect_err("old password").status(), Some(401));
    let session = Client::anonymous(&daemon.base).expect("client");
    let grant = TokenGrant::Password { username: "ada@example.test".into(), password: NEW_PASSWORD.into() };
    let first = session.token(&grant).await.expect("password grant");
    assert!(
        matches!(session.credential(), Some(Credential::Tokens { access, .. }) if access == first.access_token)
    );
    assert_eq!(session.me().await.expect("me").user.email, "ada@example.test");
    let second =
        session.token(&TokenGrant::RefreshToken(first.refresh_token.clone())).await.expect("refresh grant");
    assert_ne!(second.refresh_token, first.refresh_token);
    let reused = session.token(&TokenGrant::RefreshToken(first.refresh_token)).await.expect_err("spent");
    assert_eq!(reused.code(), Some("TOKEN_REUSED"), "{reused}");
    let session = Client::anonymous(&daemon.base).expect("client");
    session.token(&grant).await.expect("a new login");

    // Notification preferences: every kind listed, a change kept, an unknown kind refused.
    let prefs = session.notification_prefs().await.expect("prefs");
    assert_eq!(prefs, NotificationPrefs::defaults());
    let mut changed = prefs.clone();
    let flipped = ChannelPrefs { in_app: false, email: !prefs.events["scan.failed"].email };
    changed.events.insert("scan.failed".into(), flipped);
    assert_eq!(session.set_notification_prefs(&changed).await.expect("put"), changed);
    assert_eq!(session.notification_prefs().await.expect("prefs again"), changed);
    let mut unknown = changed.clone();
    unknown.events.insert("no.such.event".into(), flipped);
    let refused = session.set_notification_prefs(&unknown).await.expect_err("unknown kind");
    assert_eq!(refused.code(), Some("VALIDATION_FAILED"), "{refused}");
    assert_eq!(session.notification_prefs().await.expect("unchanged"), changed);

    // An invitation: the invitee registers with its token and joins ada's tenant.
    let invite = session
        .create_invite(&CreateInvite { email: "bob@example.test".into(), role: Role::Member })
        .await
        .expect("invite");
    assert_eq!((invite.email.as_str(), invite.role), ("bob@example.test", Role::Member));
    let bob = registered(&daemon, "bob@example.test", Some(invite.token)).await;
    let ada_tenant = session.me().await.expect("me").current_tenant.expect("ada's tenant");
    let bob_me = bob.me().await.expect("bob");
    assert!(bob_me.tenants.iter().any(|t| t.tenant_id == ada_tenant && t.role == Role::Member), "{bob_me:?}");
    let by_member = bob
        .create_invite(&CreateInvite { email: "eve@example.test".into(), role: Role::Viewer })
        .await
        .expect_err("members do not invite");
    assert_eq!(by_member.status(), Some(403), "{by_member}");
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_sqlite() {
    account(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_postgres() {
    account(true).await;
}
