//! Starting and stopping the daemon: connect, migrate, build the app, serve until shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::api;
use crate::api::metrics::Metrics;
use crate::api::rate_limit::RateLimiters;
use crate::api::ws::Sockets;
use crate::auth::tokens::JwtKeys;
use crate::config::Config;
use crate::jobs::Jobs;
use crate::state::AppState;
use crate::store::Store;
use crate::vulndb::VulnDb;

/// Opens the store, applies migrations and assembles the state.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    let store = Store::connect(&config.database_url).await?;
    let kept_in_database = store.legacy_jwt_secret_present().await;
    store.migrate().await?;
    // Migration 0021 deleted it on upgrade; an older replica may have put it back since.
    let put_back = store.legacy_jwt_secret_remove().await?;
    if kept_in_database || put_back {
        tracing::warn!(
            "the JWT signing secret was kept in the database and has been deleted from it; \
             sessions signed with it have ended (configure jwt_secret_file / CAIRN_JWT_SECRET_FILE, \
             see docs/daemon.md \"Security model\")"
        );
    }
    let secret = crate::auth::jwt_secret::resolve(&config)?;
    let git_credentials = match &config.git_credentials_key_file {
        Some(path) => Some(Arc::new(crate::sources::credential_key::CredentialKey::from_file(path)?)),
        None => None,
    };
    Ok(AppState {
        git_credentials,
        mailer: crate::mail::Mailer::new(store.clone(), &config.mail)?,
        store,
        jwt: Arc::new(JwtKeys::from_secret(&secret)),
        limits: Arc::new(RateLimiters::new(&config.rate_limits, &config.quotas)),
        metrics: Arc::new(Metrics::new()),
        vulndb: Arc::new(VulnDb::empty()),
        jobs: Arc::new(Jobs::with_budget(config.scans.memory_budget_mib)),
        sockets: Arc::new(Sockets::default()),
        webhook_wake: Arc::new(tokio::sync::Notify::new()),
        config: Arc::new(config),
    })
}

/// Serves on `listener` until `shutdown` resolves, then lets in-flight requests finish (up to
/// the configured grace period) and closes the pool.
pub async fn launch(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = api::app(state.clone());
    let grace = Duration::from_secs(state.config.shutdown_grace_secs);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let serve = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: no new connections, finishing in-flight requests");
            let _ = stop_tx.send(true);
        });
    let stop_rx_for_grace = stop_rx.clone();
    let workers = crate::jobs::worker::spawn(state.clone(), stop_rx.clone()).await;
    let mut stop = stop_rx;
    let sweep_state = state.clone();
    // Housekeeping: expired idempotency keys and idle rate-limit buckets.
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    sweep_state.limits.sweep();
                    if let Err(e) = sweep_state.store.idempotency_sweep().await {
                        tracing::warn!(error = %e, "idempotency sweep failed");
                    }
                    sweep_upload_orphans(&sweep_state).await;
                    let expired = time::OffsetDateTime::now_utc() - crate::auth::password_reset::RESET_TTL;
                    if let Err(e) = sweep_state.store.outbox_forget_secrets(expired).await {
                        tracing::warn!(error = %e, "outbox secret sweep failed");
                    }
                    let stale = time::OffsetDateTime::now_utc() - time::Duration::days(1);
                    if let Err(e) = sweep_state.store.registration_requests_sweep(stale).await {
                        tracing::warn!(error = %e, "registration request sweep failed");
                    }
                }
                _ = stop.changed() => break,
            }
        }
    });
    let vulndb_task = crate::vulndb::spawn_tasks(state.clone(), stop_rx_for_grace.clone());
    let dispatcher = crate::events::spawn(
        state.store.clone(),
        crate::events::consumers(&state),
        stop_rx_for_grace.clone(),
    );
    let senders = crate::webhooks::worker::spawn(crate::webhooks::senders(&state), stop_rx_for_grace.clone());
    let mail_sender = crate::mail::worker::spawn(state.mailer.clone(), stop_rx_for_grace.clone());
    let mut serve = std::pin::pin!(serve.into_future());
    let mut stopping = stop_rx_for_grace;
    tokio::select! {
        result = &mut serve => result?,
        _ = stopping.wait_for(|stop| *stop) => {
            // Shutdown was requested: in-flight requests get the grace period, then are dropped.
            match tokio::time::timeout(grace, &mut serve).await {
                Ok(result) => result?,
                Err(_) => tracing::warn!(?grace, "grace period over; dropping remaining connections"),
            }
        }
    }
    sweeper.abort();
    vulndb_task.abort();
    if let Some(d) = dispatcher {
        // A batch cut short rolls back and is handled again by the next start or another replica.
        d.abort();
    }
    if let Some(m) = mail_sender {
        // A mail being sent is tried again when its lease lapses.
        m.abort();
    }
    if let Some(s) = senders {
        // Deliveries in flight are sent again once their lease lapses (receivers dedupe by id).
        s.abort();
    }
    // Running scans stop here; their jobs go back to the queue for any replica.
    workers.stop(&state).await;
    state.store.close().await;
    Ok(())
}

/// Binds `addr`; the error names the address ("Address already in use" alone does not say which).
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    use anyhow::Context;
    TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))
}

/// Binds `config.listen`, prints `listening on ADDR` on stdout (and writes the address file),
/// and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    // Before binding: a root over the work directory would hand every tenant's uploads to one.
    config.sources.check_roots(config.local_mode)?;
    // A files store without a directory is a configuration error, not a failing first upload.
    config
        .uploads
        .place(&config.database_url, config.sources.durable_work_dir().as_deref())
        .map_err(anyhow::Error::msg)?;
    let listener = bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let address_file = config.address_file.clone();
    let state = prepare(config).await?;
    // Stored vulnerability data is matched against from the first request on (not in `prepare`:
    // the admin commands need no index).
    if let Err(e) = crate::vulndb::reload(&state.store, &state.vulndb).await {
        // Serve anyway: scans then say "no vulnerability data", and the reload task retries.
        tracing::error!(error = %e, "cannot load the vulnerability data");
    }
    // Work directories of scans a crashed run left behind.
    let work_dir = state.config.sources.work_dir();
    match crate::sources::sweep_stale(&work_dir) {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!(removed = n, dir = %work_dir.display(), "removed stale scan work directories")
        }
        Err(e) => tracing::warn!(error = %e, dir = %work_dir.display(), "cannot sweep scan work directories"),
    }
    // Upload files whose scans ended while no daemon ran (or that a killed request left).
    sweep_upload_orphans(&state).await;
    // Local mode: the key is in place before the address file says the daemon is up.
    if let Some(key_file) = &state.config.local_key_file {
        let outcome = crate::local::hand_over_key(&state.store, key_file).await?;
        tracing::info!(?outcome, file = %key_file.display(), "local key handed over");
    }
    if let Some(path) = &address_file {
        // Write then rename, so a reader never sees a half-written address.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, addr.to_string())?;
        std::fs::rename(&tmp, path)?;
    }
    tracing::info!(%addr, database = state.store.backend().name(), "cairnd listening");
    println!("listening on http://{addr}");
    launch(state, listener, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Removes upload files that no waiting scan references (older than the grace period, so a
/// request still writing or queueing is left alone).
async fn sweep_upload_orphans(state: &AppState) {
    let Ok(crate::uploads::UploadPlace::Files(dir)) = state
        .config
        .uploads
        .place(&state.config.database_url, state.config.sources.durable_work_dir().as_deref())
    else {
        return;
    };
    let referenced = match state.store.scan_upload_paths().await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list stored uploads; upload sweep skipped");
            return;
        }
    };
    let grace = crate::uploads::files::ORPHAN_GRACE;
    match tokio::task::spawn_blocking(move || crate::uploads::files::sweep_orphans(&dir, &referenced, grace))
        .await
    {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => tracing::info!(removed = n, "removed orphaned upload files"),
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot sweep upload files"),
        Err(e) => tracing::warn!(error = %e, "the upload sweep stopped"),
    }
}
