//! Extractors whose rejections are problem+json with field paths: `Json`, `Query`, `Path`, `Form`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Kind};

/// A JSON body. Needs `Content-Type: application/json`; unknown fields, wrong types and unknown
/// enum values are 400 with the JSON path of the field.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::new(Kind::UnsupportedMediaType, "expected Content-Type: application/json"));
        }
        let bytes = body_bytes(req, state).await?;
        parse_json(&bytes).map(Json)
    }
}

/// Reads the body within the configured limit; 413 beyond it.
pub async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(Kind::PayloadTooLarge, "the body exceeds the size limit")
        } else {
            ApiError::new(Kind::Validation, "the body could not be read")
        }
    })
}

/// Parses JSON, reporting where a value did not fit.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Every request body is an object; serde would otherwise accept `[]` as a struct of defaults.
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        Some(b'[' | b'"' | b'n' | b't' | b'f' | b'-' | b'0'..=b'9') => {
            return Err(ApiError::field("body", "must be a JSON object"));
        }
        _ => return Err(ApiError::new(Kind::MalformedJson, "the body is not a JSON document")),
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." { "body".to_owned() } else { format!("body.{path}") };
                ApiError::field(field, strip_position(&inner.to_string()))
            }
            _ => ApiError::new(Kind::MalformedJson, inner.to_string()),
        }
    })?;
    de.end().map_err(|e| ApiError::new(Kind::MalformedJson, e.to_string()))?;
    Ok(value)
}

/// serde_json appends " at line 1 column 9"; the field path says where already.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Query parameters; bad ones are 400 with `query.<name>`.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        parse_form(query.as_bytes(), "query").map(Query)
    }
}

/// Parses `application/x-www-form-urlencoded` (query strings and OAuth2 forms).
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8], root: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." { root.to_owned() } else { format!("{root}.{path}") };
        ApiError::field(field, err.into_inner().to_string())
    })
}

/// A form body (`application/x-www-form-urlencoded`), for `/auth/token`.
#[derive(Debug, Clone)]
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(ApiError::new(
                Kind::UnsupportedMediaType,
                "expected Content-Type: application/x-www-form-urlencoded",
            ));
        }
        let bytes = body_bytes(req, state).await?;
        parse_form(&bytes, "body").map(Form)
    }
}

/// Path parameters; a malformed id is 400 with `path.<name>`.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(rejection) => {
                use axum::extract::rejection::PathRejection;
                let (field, message) = match &rejection {
                    PathRejection::FailedToDeserializePathParams(e) => {
                        let kind = e.kind();
                        let field = match kind {
                            axum::extract::path::ErrorKind::ParseErrorAtKey { key, .. }
                            | axum::extract::path::ErrorKind::InvalidUtf8InPathParam { key } => {
                                format!("path.{key}")
                            }
                            _ => "path".to_owned(),
                        };
                        (field, e.body_text())
                    }
                    _ => ("path".to_owned(), rejection.body_text()),
                };
                Err(ApiError::field(field, message))
            }
        }
    }
}
