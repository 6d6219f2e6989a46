//! Who is asking: the signed-in user behind a session cookie or an API token, and what
//! their role lets them see. Every dashboard page and API route takes a [`SignedIn`];
//! without one, pages redirect to the sign-in form and the API answers 401.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, dev::Payload, web};

use super::AppState;
use crate::auth::access::Access;
use crate::auth::token::{Secret, same};
use crate::domain::Role;
use crate::error::AppError;
use crate::store::users::User;
use crate::store::{agencies, sessions};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "rind_session";

/// How the request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A browser session: its forms must carry the session's CSRF token.
    Session,
    /// `Authorization: Bearer` with an API token: no cookies, so no CSRF risk.
    ApiToken,
}

/// A signed-in user and their reach.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub access: Access,
    pub via: Via,
    /// The session's anti-forgery token, for the forms of the page.
    pub csrf_token: String,
}

impl SignedIn {
    pub fn role(&self) -> Role {
        self.access.role
    }

    /// Refuses unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.access.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "your role ({}) may not open this page",
                self.access.role.as_str()
            )))
        }
    }

    /// Checks a submitted anti-forgery token (a form field or the `X-CSRF-Token` header).
    /// API-token requests carry no cookies, so nothing can be forged on their behalf.
    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<(), AppError> {
        match (self.via, submitted) {
            (Via::ApiToken, _) => Ok(()),
            (Via::Session, Some(token)) if same(token, &self.csrf_token) => Ok(()),
            _ => Err(AppError::Forbidden(
                "the form has expired or did not come from rind; reload the page and try again"
                    .into(),
            )),
        }
    }
}

/// Why a request is not signed in, answered as the kind of route it was.
#[derive(Debug)]
pub enum NotSignedIn {
    /// An API call: 401 with a JSON error.
    Api,
    /// A page: redirect to the sign-in form, coming back here after.
    Page { next: String },
    /// The lookup itself failed.
    Failed(AppError),
}

impl std::fmt::Display for NotSignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotSignedIn::Failed(e) => e.fmt(f),
            _ => f.write_str("sign in first"),
        }
    }
}

impl ResponseError for NotSignedIn {
    fn status_code(&self) -> StatusCode {
        match self {
            NotSignedIn::Api => StatusCode::UNAUTHORIZED,
            NotSignedIn::Page { .. } => StatusCode::FOUND,
            NotSignedIn::Failed(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            NotSignedIn::Api => HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .json(serde_json::json!({ "error": "sign in, or send an API token as `Authorization: Bearer TOKEN`" })),
            NotSignedIn::Page { next } => HttpResponse::Found()
                .insert_header((header::LOCATION, signin_location(next)))
                .finish(),
            NotSignedIn::Failed(e) => e.error_response(),
        }
    }
}

/// `/signin?next=...` for a local path (anything else is dropped: no open redirect).
fn signin_location(next: &str) -> String {
    if is_local_path(next) && next != "/" {
        format!("/signin?next={}", urlencoding_path(next))
    } else {
        "/signin".to_string()
    }
}

/// A path on this site: starts with one `/`, not `//` (another host) or `/\`.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\")
}

/// Percent-encodes what a query value can't hold as is.
fn urlencoding_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn bearer(req: &HttpRequest) -> Option<Secret> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?;
    Secret::parse(token)
}

fn session_token(req: &HttpRequest) -> Option<Secret> {
    Secret::parse(req.cookie(SESSION_COOKIE)?.value())
}

impl FromRequest for SignedIn {
    type Error = NotSignedIn;
    type Future = Pin<Box<dyn Future<Output = Result<SignedIn, NotSignedIn>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let is_api = req.path().starts_with("/api/");
        let not_signed_in = if is_api {
            NotSignedIn::Api
        } else {
            NotSignedIn::Page {
                next: req
                    .uri()
                    .path_and_query()
                    .map_or("/".to_string(), |p| p.to_string()),
            }
        };
        let state = req.app_data::<web::Data<AppState>>().cloned();
        // An API call may use either; a page only the session.
        let bearer = if is_api { bearer(req) } else { None };
        let session = session_token(req);
        Box::pin(async move {
            let Some(state) = state else {
                return Err(NotSignedIn::Failed(AppError::Internal(
                    "no application state".into(),
                )));
            };
            let found = state
                .run(move |conn| {
                    let now = crate::store::now();
                    let (user, via, csrf_token) = if let Some(token) = bearer {
                        match sessions::user_of_api_token(conn, &token.hash())? {
                            Some(user) => (user, Via::ApiToken, String::new()),
                            None => return Ok(None),
                        }
                    } else if let Some(token) = session {
                        match sessions::find(conn, &token.hash(), now)? {
                            Some(s) => (s.user, Via::Session, s.csrf_token),
                            None => return Ok(None),
                        }
                    } else {
                        return Ok(None);
                    };
                    let role = Role::parse(&user.role)?;
                    let owned = if role == Role::Brm {
                        agencies::owned_by(conn, &user.email)?
                    } else {
                        Vec::new()
                    };
                    Ok(Some(SignedIn {
                        access: Access::new(role, owned),
                        user,
                        via,
                        csrf_token,
                    }))
                })
                .await
                .map_err(NotSignedIn::Failed)?;
            found.ok_or(not_signed_in)
        })
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when the site is served over https.
pub fn session_cookie(value: &str, secure: bool, max_age_hours: u32) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        u64::from(max_age_hours) * 3600
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A cookie that removes the session cookie.
pub fn cleared_session_cookie() -> HeaderValue {
    HeaderValue::from_static("rind_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_come_back_after_sign_in() {
        assert_eq!(
            signin_location("/waves/FY26-Q1?x=1"),
            "/signin?next=/waves/FY26-Q1%3Fx%3D1"
        );
        assert_eq!(signin_location("//evil.example/"), "/signin");
        assert_eq!(signin_location("/\\evil.example"), "/signin");
        assert_eq!(signin_location("https://evil.example"), "/signin");
        assert_eq!(signin_location("/"), "/signin");
    }

    #[test]
    fn session_cookies_are_http_only_lax_and_secure_on_https() {
        let c = session_cookie("abc", true, 8);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(c.contains("Max-Age=28800"));
        assert!(
            !session_cookie("abc", false, 8)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }
}
