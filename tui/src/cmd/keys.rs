//! `cairn keys ls|create|revoke`: the caller's API keys. The secret is printed once, by `create`;
//! no other command (nor the daemon) can show it again.

use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use cairn_sdk::types::{ApiKey, ApiKeyEnvironment, ApiKeyId, CreateApiKey};
use cairn_sdk::{Client, ListQuery};
use futures_util::TryStreamExt;

use crate::cli::{KeysCommand, KeysCreateArgs};
use crate::table::{Table, or_dash, print_json};

pub fn run(cmd: KeysCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            KeysCommand::Ls { json } => {
                let keys = list(&client).await?;
                if json {
                    print_json(&keys)?;
                } else {
                    table(&keys).print()?;
                }
            }
            KeysCommand::Create(args) => create(&client, args).await?,
            KeysCommand::Revoke { key } => {
                let key = find(&client, &key).await?;
                client.delete_api_key(key.id).await.map_err(|e| {
                    super::lookup::explain(e, &format!("revoking the key {:?}", key.name), false)
                })?;
                crate::outln!("revoked {} ({}, {})", key.name, key.prefix, key.id);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Every key of the caller, newest first.
async fn list(client: &Client) -> anyhow::Result<Vec<ApiKey>> {
    client
        .api_keys(ListQuery::limit(200).sort("-created_at"))
        .try_collect()
        .await
        .map_err(|e| super::lookup::explain(e, "listing API keys", false))
}

async fn create(client: &Client, args: KeysCreateArgs) -> anyhow::Result<()> {
    let body = CreateApiKey {
        name: args.name,
        scopes: args.scopes,
        expires_at: args.expires,
        environment: if args.test { ApiKeyEnvironment::Test } else { ApiKeyEnvironment::Live },
    };
    let created = client
        .create_api_key(&body)
        .await
        .map_err(|e| super::lookup::explain(e, &format!("creating the key {:?}", body.name), false))?;
    if args.json {
        print_json(&created)?;
    } else {
        // The secret alone on stdout, so `KEY=$(cairn keys create …)` captures just it.
        crate::outln!("{}", created.secret);
    }
    eprintln!(
        "cairn: this is the key's secret ({}, id {}); it will not be shown again: store it now",
        created.key.prefix, created.key.id
    );
    Ok(())
}

/// The key `arg` names: an id, or the one key with that exact name.
async fn find(client: &Client, arg: &str) -> anyhow::Result<ApiKey> {
    if let Ok(id) = arg.parse::<ApiKeyId>() {
        return match client.api_key(id).await {
            Ok(k) => Ok(k),
            Err(e) if e.is_not_found() => Err(anyhow!("no API key with id {id} (see `cairn keys ls`)")),
            Err(e) => Err(e).context("reading the API key"),
        };
    }
    let named: Vec<ApiKey> = list(client).await?.into_iter().filter(|k| k.name == arg).collect();
    match named.as_slice() {
        [] => bail!("no API key named {arg:?} (see `cairn keys ls`)"),
        [one] => Ok(one.clone()),
        many => bail!(
            "{} API keys are named {arg:?}; revoke one by id: {}",
            many.len(),
            many.iter().map(|k| k.id.to_string()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Name, the public prefix, scopes, dates, then the id; never the secret (the daemon keeps only
/// its hash).
fn table(keys: &[ApiKey]) -> Table {
    let mut t = Table::new(&["NAME", "PREFIX", "SCOPES", "CREATED", "EXPIRES", "LAST USED", "ID"]);
    for k in keys {
        t.row(vec![
            k.name.clone(),
            k.prefix.clone(),
            k.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","),
            super::scans::date(k.created_at),
            or_dash(k.expires_at.map(super::scans::date)),
            or_dash(k.last_used_at.map(super::scans::date)),
            k.id.to_string(),
        ]);
    }
    t
}
