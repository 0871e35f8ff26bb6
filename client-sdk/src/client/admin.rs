//! The installation operator's surface (`/api/v1/admin/…`): users, the current tenant's teams,
//! the audit chain, the mail outbox, every tenant's scans and the vulnerability data. One method
//! per operation, named after its OpenAPI `operationId`; paged lists come as a stream of every
//! item (`admin_users`) and as one page (`admin_users_page`).
//!
//! Every method needs a super admin (an API key also needs the `admin` scope). The daemon hides
//! these routes from everyone else: a caller who is not a super admin gets a 404 with the problem
//! code `ROUTE_NOT_FOUND` ([`Error::is_not_found`]), an API key of a super admin without the
//! `admin` scope a 403.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Error, ListQuery, Req};
use crate::types::{
    AddTeamMember, AuditEntry, AuditVerification, CreateTeam, OutboxMessage, Page, PasswordResetIssued, Scan,
    ScanId, Team, TeamId, TeamMember, UpdateTeam, UpdateUserRole, UserAdmin, UserId, VulnDbChange,
    VulnDbUpdate,
};

fn admin(path: impl std::fmt::Display) -> String {
    format!("api/v1/admin/{path}")
}

impl Client {
    // --- users ---------------------------------------------------------------------------------

    /// `GET /admin/users`, one page (sort: `email`, `created_at`, `last_login_at`).
    pub async fn admin_users_page(&self, q: &ListQuery) -> Result<Page<UserAdmin>, Error> {
        self.page(&admin("users"), q).await
    }

    /// `GET /admin/users`: every user of the installation, a page at a time as the stream is
    /// polled.
    ///
    /// Errors: 404 `ROUTE_NOT_FOUND` for a caller who is not a super admin; 400 for a sort the
    /// daemon cannot do.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use futures_util::TryStreamExt;
    /// let users: Vec<_> = client.admin_users(cairn_sdk::ListQuery::limit(200)).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn admin_users(&self, q: ListQuery) -> BoxStream<'static, Result<UserAdmin, Error>> {
        self.paginate(admin("users"), q)
    }

    /// `GET /admin/users/{id}`: one user.
    ///
    /// Errors: 404 for an unknown user (or a caller who is not a super admin).
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::UserId) -> Result<(), cairn_sdk::Error> {
    /// let user = client.admin_user(id).await?;
    /// println!("{} active={}", user.email, user.active);
    /// # Ok(()) }
    /// ```
    pub async fn admin_user(&self, id: UserId) -> Result<UserAdmin, Error> {
        self.json(Req::new(Method::GET, admin(format!("users/{id}")))).await
    }

    /// `PATCH /admin/users/{id}/deactivate`: no more logins; the user's refresh tokens are revoked
    /// and their API keys stop working.
    ///
    /// Errors: 409 when `id` is the caller; 404 for an unknown user.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::UserId) -> Result<(), cairn_sdk::Error> {
    /// assert!(!client.admin_deactivate(id).await?.active);
    /// # Ok(()) }
    /// ```
    pub async fn admin_deactivate(&self, id: UserId) -> Result<UserAdmin, Error> {
        self.json(Req::new(Method::PATCH, admin(format!("users/{id}/deactivate")))).await
    }

    /// `PATCH /admin/users/{id}/activate`: the user can log in again (their old keys stay revoked).
    ///
    /// Errors: 404 for an unknown user.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::UserId) -> Result<(), cairn_sdk::Error> {
    /// assert!(client.admin_activate(id).await?.active);
    /// # Ok(()) }
    /// ```
    pub async fn admin_activate(&self, id: UserId) -> Result<UserAdmin, Error> {
        self.json(Req::new(Method::PATCH, admin(format!("users/{id}/activate")))).await
    }

    /// `PATCH /admin/users/{id}/role`: grants or withdraws the super admin flag.
    ///
    /// Errors: 409 when it would demote the last active super admin; 404 for an unknown user.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::UserId) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::UpdateUserRole;
    /// client.admin_user_role(id, &UpdateUserRole { super_admin: true }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn admin_user_role(&self, id: UserId, body: &UpdateUserRole) -> Result<UserAdmin, Error> {
        self.json(Req::new(Method::PATCH, admin(format!("users/{id}/role"))).json(body)?).await
    }

    /// `POST /admin/users/{id}/password-reset` (202): mails the user a single-use reset token (to
    /// the admin outbox, [`Client::admin_outbox`], when the daemon has no SMTP).
    ///
    /// Errors: 409 when the user is deactivated; 404 for an unknown user.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::UserId) -> Result<(), cairn_sdk::Error> {
    /// let issued = client.admin_user_password_reset(id).await?;
    /// println!("mailed to {}", issued.email);
    /// # Ok(()) }
    /// ```
    pub async fn admin_user_password_reset(&self, id: UserId) -> Result<PasswordResetIssued, Error> {
        self.json(Req::new(Method::POST, admin(format!("users/{id}/password-reset")))).await
    }

    // --- teams (of the current tenant, or the one named with `ClientBuilder::tenant`) -----------

    /// `GET /admin/teams`, one page (sort: `name`, `created_at`).
    pub async fn admin_teams_page(&self, q: &ListQuery) -> Result<Page<Team>, Error> {
        self.page(&admin("teams"), q).await
    }

    /// `GET /admin/teams`: every team of the current tenant.
    ///
    /// Errors: 404 when the caller belongs to no tenant (or is not a super admin).
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use futures_util::TryStreamExt;
    /// let teams: Vec<_> = client.admin_teams(Default::default()).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn admin_teams(&self, q: ListQuery) -> BoxStream<'static, Result<Team, Error>> {
        self.paginate(admin("teams"), q)
    }

    /// `POST /admin/teams` (201): creates a team in the current tenant.
    ///
    /// Errors: 409 when the name is taken; 400 naming `body.name` when it is empty or too long.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::CreateTeam;
    /// let team = client.admin_create_team(&CreateTeam { name: "platform".into() }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn admin_create_team(&self, body: &CreateTeam) -> Result<Team, Error> {
        self.json(Req::new(Method::POST, admin("teams")).idempotent_create().json(body)?).await
    }

    /// `GET /admin/teams/{id}`: one team; its `version` is what [`Client::admin_update_team`] and
    /// [`Client::admin_delete_team`] send as `If-Match`.
    ///
    /// Errors: 404 for a team of another tenant or none.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::TeamId) -> Result<(), cairn_sdk::Error> {
    /// let team = client.admin_team(id).await?;
    /// # Ok(()) }
    /// ```
    pub async fn admin_team(&self, id: TeamId) -> Result<Team, Error> {
        self.json(Req::new(Method::GET, admin(format!("teams/{id}")))).await
    }

    /// `PATCH /admin/teams/{id}` with `If-Match: "<version>"`: renames the team.
    ///
    /// Errors: 412 (`PRECONDITION_FAILED`) when someone changed it since `version` was read; 409
    /// when the name is taken.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::TeamId) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::UpdateTeam;
    /// let team = client.admin_team(id).await?;
    /// client.admin_update_team(id, team.version, &UpdateTeam { name: "infra".into() }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn admin_update_team(
        &self,
        id: TeamId,
        version: i64,
        body: &UpdateTeam,
    ) -> Result<Team, Error> {
        self.json(Req::new(Method::PATCH, admin(format!("teams/{id}"))).if_match(version).json(body)?).await
    }

    /// `DELETE /admin/teams/{id}` with `If-Match`: deletes the team; its projects stay, without a
    /// team.
    ///
    /// Errors: 412 when someone changed it since `version` was read; 404 for an unknown team.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::TeamId) -> Result<(), cairn_sdk::Error> {
    /// let team = client.admin_team(id).await?;
    /// client.admin_delete_team(id, team.version).await?;
    /// # Ok(()) }
    /// ```
    pub async fn admin_delete_team(&self, id: TeamId, version: i64) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, admin(format!("teams/{id}"))).if_match(version)).await
    }

    /// `POST /admin/teams/{id}/members` (201): adds a member of the tenant to the team.
    ///
    /// Errors: 409 when the user is a member already or not in the team's tenant.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, team: cairn_sdk::types::TeamId, user: cairn_sdk::types::UserId) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::AddTeamMember;
    /// client.admin_add_member(team, &AddTeamMember { user_id: user }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn admin_add_member(&self, id: TeamId, body: &AddTeamMember) -> Result<TeamMember, Error> {
        self.json(Req::new(Method::POST, admin(format!("teams/{id}/members"))).json(body)?).await
    }

    /// `DELETE /admin/teams/{id}/members/{user_id}`: removes a member from the team.
    ///
    /// Errors: 404 when the user is not a member.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, team: cairn_sdk::types::TeamId, user: cairn_sdk::types::UserId) -> Result<(), cairn_sdk::Error> {
    /// client.admin_remove_member(team, user).await?;
    /// # Ok(()) }
    /// ```
    pub async fn admin_remove_member(&self, id: TeamId, user: UserId) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, admin(format!("teams/{id}/members/{user}")))).await
    }

    // --- audit and outbox ----------------------------------------------------------------------

    /// `GET /admin/audit`, one page (sort: `created_at`, `action`, `object_type`, `seq`).
    pub async fn admin_audit_page(&self, q: &ListQuery) -> Result<Page<AuditEntry>, Error> {
        self.page(&admin("audit"), q).await
    }

    /// `GET /admin/audit`: every entry of the installation's hash-chained audit log. The daemon
    /// has no filters on this list; sort with `-created_at` and stop reading for "since".
    ///
    /// Errors: 404 `ROUTE_NOT_FOUND` for a caller who is not a super admin.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use futures_util::TryStreamExt;
    /// let newest: Vec<_> = client
    ///     .admin_audit(cairn_sdk::ListQuery::limit(100).sort("-created_at"))
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn admin_audit(&self, q: ListQuery) -> BoxStream<'static, Result<AuditEntry, Error>> {
        self.paginate(admin("audit"), q)
    }

    /// `GET /admin/audit/export.csv`: the whole chain as CSV (one row per entry, in chain order,
    /// formula-looking cells quoted), read whole.
    ///
    /// Errors: 404 `ROUTE_NOT_FOUND` for a caller who is not a super admin.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// std::fs::write("audit.csv", client.admin_audit_export().await?)?;
    /// # Ok(()) }
    /// ```
    pub async fn admin_audit_export(&self) -> Result<Vec<u8>, Error> {
        let resp = self.send(Req::new(Method::GET, admin("audit/export.csv"))).await?;
        Ok(resp.bytes().await.map_err(Error::Transport)?.to_vec())
    }

    /// `GET /admin/audit/verify`: walks the chain and reports the first broken link, if any.
    ///
    /// Errors: 404 `ROUTE_NOT_FOUND` for a caller who is not a super admin.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// let v = client.admin_audit_verify().await?;
    /// assert!(v.ok, "broken at {:?}: {:?}", v.first_broken_seq, v.reason);
    /// # Ok(()) }
    /// ```
    pub async fn admin_audit_verify(&self) -> Result<AuditVerification, Error> {
        self.json(Req::new(Method::GET, admin("audit/verify"))).await
    }

    /// `GET /admin/outbox`, one page (sort: `created_at`, `recipient`).
    pub async fn admin_outbox_page(&self, q: &ListQuery) -> Result<Page<OutboxMessage>, Error> {
        self.page(&admin("outbox"), q).await
    }

    /// `GET /admin/outbox`: every mail the daemon queued instead of sending (no SMTP configured).
    ///
    /// Errors: 404 `ROUTE_NOT_FOUND` for a caller who is not a super admin.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use futures_util::TryStreamExt;
    /// let mails: Vec<_> = client.admin_outbox(Default::default()).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn admin_outbox(&self, q: ListQuery) -> BoxStream<'static, Result<OutboxMessage, Error>> {
        self.paginate(admin("outbox"), q)
    }

    // --- every tenant's scans ------------------------------------------------------------------

    /// `GET /admin/scans`, one page (filters: `status`, `project`, `source`; sort: `created_at`,
    /// `status`, `finished_at`).
    pub async fn admin_scans_page(&self, q: &ListQuery) -> Result<Page<Scan>, Error> {
        self.page(&admin("scans"), q).await
    }

    /// `GET /admin/scans`: the scans of every tenant (the queue as the operator sees it).
    ///
    /// Errors: 400 naming the query field for a bad filter or sort; 404 `ROUTE_NOT_FOUND` for a
    /// caller who is not a super admin.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use futures_util::TryStreamExt;
    /// let queued: Vec<_> =
    ///     client.admin_scans(cairn_sdk::ListQuery::limit(100).filter("status", "queued")).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn admin_scans(&self, q: ListQuery) -> BoxStream<'static, Result<Scan, Error>> {
        self.paginate(admin("scans"), q)
    }

    /// `POST /admin/scans/{id}/cancel`: cancels any tenant's scan, a queued one at once, a running
    /// one at its next step. A scan that already ended comes back unchanged (check its `status`).
    ///
    /// Errors: 404 for an unknown scan.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::ScanId) -> Result<(), cairn_sdk::Error> {
    /// let scan = client.admin_scans_cancel(id).await?;
    /// # Ok(()) }
    /// ```
    pub async fn admin_scans_cancel(&self, id: ScanId) -> Result<Scan, Error> {
        self.json(Req::new(Method::POST, admin(format!("scans/{id}/cancel")))).await
    }

    // --- vulnerability data --------------------------------------------------------------------

    /// `POST /admin/vulndb/import[?name=NAME]`: loads an OSV zip (`all.zip` layout) as the source
    /// `name` (the daemon's default name without one), replacing that source only.
    ///
    /// Errors: 400 (problem+json saying why) for a body the daemon cannot read as an OSV zip.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let zip = std::fs::read("crates.io-all.zip")?;
    /// let change = client.admin_vulndb_import(Some("rustsec"), zip).await?;
    /// println!("{} advisories", change.status.advisories);
    /// # Ok(()) }
    /// ```
    pub async fn admin_vulndb_import(&self, name: Option<&str>, zip: Vec<u8>) -> Result<VulnDbChange, Error> {
        let name = name.map(|n| ("name".to_owned(), n.to_owned()));
        self.json(Req::new(Method::POST, admin("vulndb/import")).query(name).bytes("application/zip", zip))
            .await
    }

    /// `POST /admin/vulndb/update`: fetches from the configured mirror; `None` updates every
    /// configured ecosystem.
    ///
    /// Errors: 400 naming `body.ecosystems[i]` for an ecosystem the daemon is not configured for.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// let change = client.admin_vulndb_update(None).await?;
    /// assert!(change.failed.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn admin_vulndb_update(&self, body: Option<&VulnDbUpdate>) -> Result<VulnDbChange, Error> {
        let req = Req::new(Method::POST, admin("vulndb/update"));
        let req = match body {
            Some(b) => req.json(b)?,
            None => req,
        };
        self.json(req).await
    }

    /// `DELETE /admin/vulndb/sources/{name}`: removes one source and its advisories; the others
    /// stay.
    ///
    /// Errors: 404 for an unknown source.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// client.admin_vulndb_remove("rustsec").await?;
    /// # Ok(()) }
    /// ```
    pub async fn admin_vulndb_remove(&self, name: &str) -> Result<VulnDbChange, Error> {
        self.json(Req::new(
            Method::DELETE,
            admin(format!("vulndb/sources/{}", super::endpoints::segment(name))),
        ))
        .await
    }
}
