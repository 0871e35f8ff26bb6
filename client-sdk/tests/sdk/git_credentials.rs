//! Git credentials through the SDK (SQLite and, when CAIRN_TEST_POSTGRES_URL is set, Postgres):
//! created, listed (never with the secret) and deleted by a tenant owner; a daemon without a key
//! answers `GIT_CREDENTIALS_DISABLED`.

use cairn_sdk::types::{CreateGitCredential, GitCredentialKind, RegisterRequest};
use cairn_sdk::{Client, ListQuery, ProblemCode};
use futures_util::TryStreamExt;

use crate::common::{Daemon, Opts};

const TOKEN: &str = "glpat-sdk-test-token-0123456789";

async fn registered(daemon: &Daemon, email: &str) -> Client {
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest {
                email: email.into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some(format!("t-{email}")),
                invite_token: None,
            },
        )
        .await;
    client
}

fn token_for(host: &str) -> CreateGitCredential {
    CreateGitCredential {
        host: host.into(),
        token: Some(TOKEN.into()),
        username: None,
        ssh_private_key: None,
    }
}

async fn git_credentials(postgres: bool) {
    let keys = tempfile::tempdir().expect("key dir");
    let key = keys.path().join("git-credentials.key");
    std::fs::write(&key, [0x42u8; 32]).expect("key file");
    let opts = Opts { postgres, path_roots: Vec::new(), workers: 1, vulndb: false };
    let Some(daemon) = Daemon::start_with(opts, |c| c.git_credentials_key_file = Some(key.clone())).await
    else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let owner = registered(&daemon, "owner@example.test").await;

    let created = owner.create_git_credential(&token_for("*.Example.com")).await.expect("create");
    assert_eq!(
        (created.host_pattern.as_str(), created.kind, created.username.as_deref()),
        ("*.example.com", GitCredentialKind::Token, Some("x-access-token"))
    );
    let other = owner.create_git_credential(&token_for("git.example.org")).await.expect("create");

    let page = owner.git_credentials_page(&ListQuery::limit(1)).await.expect("page");
    assert_eq!((page.items.len(), page.total), (1, 2));
    let all: Vec<_> = owner.git_credentials(ListQuery::limit(1)).try_collect().await.expect("stream");
    assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), vec![created.id, other.id]);
    let raw = serde_json::to_string(&all).expect("json");
    assert!(!raw.contains(TOKEN), "{raw}");

    owner.delete_git_credential(created.id).await.expect("delete");
    let gone = owner.delete_git_credential(created.id).await.expect_err("already deleted");
    assert!(gone.is_not_found(), "{gone}");
    let left: Vec<_> = owner.git_credentials(ListQuery::limit(10)).try_collect().await.expect("stream");
    assert_eq!(left, vec![other]);
    daemon.shutdown().await;

    let opts = Opts { postgres, path_roots: Vec::new(), workers: 1, vulndb: false };
    let Some(keyless) = Daemon::start(opts).await else { return };
    let client = registered(&keyless, "nokey@example.test").await;
    let err = client.create_git_credential(&token_for("github.com")).await.expect_err("no key");
    assert_eq!(err.problem_code(), Some(ProblemCode::GitCredentialsDisabled), "{err}");
    keyless.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_credentials_sqlite() {
    git_credentials(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_credentials_postgres() {
    git_credentials(true).await;
}
