//! Identity: passwords, tokens, API keys, and who may do what (roles and scopes).

pub mod access;
pub mod api_key;
pub mod jwt_secret;
pub mod oauth;
pub mod password;
pub mod password_reset;
pub mod principal;
pub mod registration;
pub mod routes;
pub mod secrets;
pub mod tokens;

pub use access::Access;
pub use principal::{Principal, TenantContext};
