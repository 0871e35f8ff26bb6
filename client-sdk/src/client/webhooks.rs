//! The tenant's outbound webhooks (tenant admins, or a key with `webhook:write`). The signing
//! secret is in the answers of create and rotate-secret only; see [`crate::webhooks::verify`]
//! for the receiver's side.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Error, ListQuery, Req};
use crate::types::{
    CreateWebhook, CreatedWebhook, Page, QueuedDelivery, RotatedWebhookSecret, UpdateWebhook, Webhook,
    WebhookDelivery, WebhookDeliveryId, WebhookId,
};

fn v1(path: impl std::fmt::Display) -> String {
    format!("api/v1/{path}")
}

impl Client {
    /// `GET /webhooks`, one page.
    pub async fn webhooks_page(&self, q: &ListQuery) -> Result<Page<Webhook>, Error> {
        self.page(&v1("webhooks"), q).await
    }

    /// `GET /webhooks`, every webhook, as a stream.
    pub fn webhooks(&self, q: ListQuery) -> BoxStream<'static, Result<Webhook, Error>> {
        self.paginate(v1("webhooks"), q)
    }

    /// `POST /webhooks`; the secret is in the answer only (a retried request that the daemon
    /// replays answers `IDEMPOTENCY_SECRET_WITHHELD` instead of showing it again).
    pub async fn create_webhook(&self, body: &CreateWebhook) -> Result<CreatedWebhook, Error> {
        self.json(Req::new(Method::POST, v1("webhooks")).idempotent_create().json(body)?).await
    }

    /// `GET /webhooks/{id}`.
    pub async fn webhook(&self, id: WebhookId) -> Result<Webhook, Error> {
        self.json(Req::new(Method::GET, v1(format!("webhooks/{id}")))).await
    }

    /// `PUT /webhooks/{id}` with `If-Match: "<version>"` (the [`Webhook::version`] read): new URL
    /// and filters; a stale version is a 412 ([`Error::is_precondition_failed`]).
    pub async fn update_webhook(
        &self,
        id: WebhookId,
        version: i64,
        body: &UpdateWebhook,
    ) -> Result<Webhook, Error> {
        self.json(Req::new(Method::PUT, v1(format!("webhooks/{id}"))).if_match(version).json(body)?).await
    }

    /// `DELETE /webhooks/{id}`.
    pub async fn delete_webhook(&self, id: WebhookId) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("webhooks/{id}")))).await
    }

    /// `POST /webhooks/{id}/ping`: queues a `webhook.ping` delivery.
    pub async fn ping_webhook(&self, id: WebhookId) -> Result<QueuedDelivery, Error> {
        self.json(Req::new(Method::POST, v1(format!("webhooks/{id}/ping")))).await
    }

    /// `GET /webhooks/{id}/deliveries`, one page.
    pub async fn webhook_deliveries_page(
        &self,
        id: WebhookId,
        q: &ListQuery,
    ) -> Result<Page<WebhookDelivery>, Error> {
        self.page(&v1(format!("webhooks/{id}/deliveries")), q).await
    }

    /// `GET /webhooks/{id}/deliveries`, every delivery with its attempts, as a stream.
    pub fn webhook_deliveries(
        &self,
        id: WebhookId,
        q: ListQuery,
    ) -> BoxStream<'static, Result<WebhookDelivery, Error>> {
        self.paginate(v1(format!("webhooks/{id}/deliveries")), q)
    }

    /// `POST /webhooks/{id}/deliveries/{did}/redeliver`: sends the same body again now.
    pub async fn redeliver_webhook(
        &self,
        id: WebhookId,
        delivery: WebhookDeliveryId,
    ) -> Result<QueuedDelivery, Error> {
        self.json(Req::new(Method::POST, v1(format!("webhooks/{id}/deliveries/{delivery}/redeliver")))).await
    }

    /// `POST /webhooks/{id}/rotate-secret`: a new secret (in the answer only); the previous one
    /// keeps signing during the daemon's grace period.
    pub async fn rotate_webhook_secret(&self, id: WebhookId) -> Result<RotatedWebhookSecret, Error> {
        self.json(Req::new(Method::POST, v1(format!("webhooks/{id}/rotate-secret")))).await
    }
}
