//! Gate results: the policy verdict stored with each completed scan, and the latest one per
//! project.

use cairn_sdk::types::{EventKind, GateResult, GateStatus, ProjectId, ScanId, TenantId};

use super::{NewEvent, Store, StoreError, StoreResult, ts};

fn status_word(s: GateStatus) -> &'static str {
    match s {
        GateStatus::Pass => "pass",
        GateStatus::Warn => "warn",
        GateStatus::Fail => "fail",
    }
}

fn read(json: &str) -> StoreResult<GateResult> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("gate result: {e}")))
}

impl Store {
    /// Stores (or replaces, for a rerun) the gate of a scan (its stored policy's id, none for the
    /// built-in default, in `g.policy.stored_id`); `facts` what it was evaluated over (JSON).
    pub async fn gate_store(&self, tenant: TenantId, g: &GateResult, facts: &str) -> StoreResult<()> {
        let json = serde_json::to_string(g).map_err(|e| StoreError::Corrupt(format!("gate result: {e}")))?;
        let mut tx = self.begin_write().await?;
        // `gate.failed` when the scan's gate becomes failing (first evaluation, or a pass/warn
        // turned fail), not again for a re-evaluation that keeps it failing.
        let before: Option<(String,)> =
            sqlx::query_as("SELECT status FROM gate_results WHERE tenant_id = $1 AND scan_id = $2")
                .bind(tenant.to_string())
                .bind(g.scan_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let fail = status_word(GateStatus::Fail);
        let newly_failed = g.status == GateStatus::Fail && before.is_none_or(|(b,)| b != fail);
        if newly_failed {
            let event = NewEvent::new(EventKind::GateFailed, g.project_id, g);
            super::events::append(&mut tx, tenant, &event).await?;
        }
        sqlx::query("DELETE FROM gate_results WHERE tenant_id = $1 AND scan_id = $2")
            .bind(tenant.to_string())
            .bind(g.scan_id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO gate_results (scan_id, tenant_id, project_id, policy_id, policy_key, revision, status, result, facts, evaluated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(g.scan_id.to_string())
        .bind(tenant.to_string())
        .bind(g.project_id.map(|p| p.to_string()))
        .bind(g.policy.stored_id.map(|p| p.to_string()))
        .bind(&g.policy.id)
        .bind(i64::from(g.policy.revision))
        .bind(status_word(g.status))
        .bind(json)
        .bind(facts)
        .bind(ts(g.evaluated_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if newly_failed {
            self.events_committed().await;
        }
        Ok(())
    }

    /// What a scan's gate was evaluated over (JSON), for evaluating it again.
    pub async fn gate_facts(&self, tenant: TenantId, scan: ScanId) -> StoreResult<String> {
        let (facts,): (String,) =
            sqlx::query_as("SELECT facts FROM gate_results WHERE tenant_id = $1 AND scan_id = $2")
                .bind(tenant.to_string())
                .bind(scan.to_string())
                .fetch_one(self.pool())
                .await?;
        Ok(facts)
    }

    /// The project's latest scan with a gate: the one a project triage change evaluates again.
    pub async fn gate_latest_scan(&self, tenant: TenantId, project: ProjectId) -> StoreResult<ScanId> {
        let (scan,): (String,) = sqlx::query_as(
            "SELECT scan_id FROM gate_results WHERE tenant_id = $1 AND project_id = $2 \
             ORDER BY evaluated_at DESC, scan_id DESC LIMIT 1",
        )
        .bind(tenant.to_string())
        .bind(project.to_string())
        .fetch_one(self.pool())
        .await?;
        super::parse_id(&scan)
    }

    /// The gate of a scan of the tenant; NotFound when the scan has none (not completed, or
    /// completed before gates existed).
    pub async fn gate_of_scan(&self, tenant: TenantId, scan: ScanId) -> StoreResult<GateResult> {
        let (json,): (String,) =
            sqlx::query_as("SELECT result FROM gate_results WHERE tenant_id = $1 AND scan_id = $2")
                .bind(tenant.to_string())
                .bind(scan.to_string())
                .fetch_one(self.pool())
                .await?;
        read(&json)
    }

    /// The gate status of each of the project's scans that has a gate (for its history).
    pub async fn gate_statuses_of_project(
        &self,
        tenant: TenantId,
        project: ProjectId,
    ) -> StoreResult<std::collections::HashMap<ScanId, GateStatus>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT scan_id, status FROM gate_results WHERE tenant_id = $1 AND project_id = $2",
        )
        .bind(tenant.to_string())
        .bind(project.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(scan, status)| {
                let status = [GateStatus::Pass, GateStatus::Warn, GateStatus::Fail]
                    .into_iter()
                    .find(|s| status_word(*s) == status)
                    .ok_or_else(|| StoreError::Corrupt(format!("gate status {status:?}")))?;
                Ok((super::parse_id(&scan)?, status))
            })
            .collect()
    }

    /// The gate of the project's latest evaluated scan.
    pub async fn gate_of_project(&self, tenant: TenantId, project: ProjectId) -> StoreResult<GateResult> {
        let (json,): (String,) = sqlx::query_as(
            "SELECT result FROM gate_results WHERE tenant_id = $1 AND project_id = $2 \
             ORDER BY evaluated_at DESC, scan_id DESC LIMIT 1",
        )
        .bind(tenant.to_string())
        .bind(project.to_string())
        .fetch_one(self.pool())
        .await?;
        read(&json)
    }
}
