//! Who reads a page, and in which language. Reading needs no token: the public
//! sees what is public. A reader with a token signs in once through a form,
//! which opens a server-side session (see [`crate::access::sessions`]): the
//! HttpOnly, same-site cookie holds the session's random id, never the
//! token, and logging out ends the session for good. Scripts may send the
//! token as a bearer header instead, checked exactly as the API checks it.
//! A sign-in or logout posted from another site (its `Origin` or `Referer`
//! names another host) is refused. The language is Vietnamese unless
//! `?lang=en` or the language cookie says otherwise.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, HOST, LOCATION,
    ORIGIN, REFERER, SET_COOKIE,
};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::WebError;
use super::locale::{Lang, Words};
use crate::access::{Caller, SANDBOX_ROLES, sessions};
use crate::app::AppState;

/// The cookie holding a signed-in reader's session id.
pub const SESSION_COOKIE: &str = "thuocdo_session";
/// The cookie holding the chosen language.
pub const LANG_COOKIE: &str = "thuocdo_lang";

/// What a page may load: its own stylesheet and icon, nothing else — no
/// script at all, so nothing injected into a page could run.
pub const POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// One request for a page: who asks, in which language, for what.
pub struct Visit {
    /// The reader: a token's actor, or the public.
    pub caller: Caller,
    /// The language to answer in.
    pub lang: Lang,
    /// The page's path and query, without `lang`: where the switch returns.
    pub here: String,
    /// The cookie held a token that is no longer live: it is cleared.
    stale_token: bool,
}

fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visit, WebError> {
        let query = parts.uri.query().unwrap_or("");
        let mut lang = cookie(parts, LANG_COOKIE)
            .and_then(Lang::from_code)
            .unwrap_or(Lang::Vi);
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.strip_prefix("lang=") {
                Some(code) => {
                    lang = Lang::from_code(code)
                        .ok_or_else(|| WebError::bad_request(format!("lang `{code}`: vi or en")))?;
                }
                None => kept.push(pair),
            }
        }
        let here = if kept.is_empty() {
            parts.uri.path().to_string()
        } else {
            format!("{}?{}", parts.uri.path(), kept.join("&"))
        };
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .map(|v| {
                v.to_str()
                    .ok()
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .map(str::trim)
                    .ok_or_else(|| {
                        WebError::new(
                            StatusCode::UNAUTHORIZED,
                            "the Authorization header must be `Bearer <token>`",
                        )
                        .in_lang(lang)
                    })
            })
            .transpose()?;
        if let Some(secret) = header {
            let caller = state
                .tokens
                .caller(state.registry.store(), secret)
                .await
                .map_err(|e| WebError::from(e).in_lang(lang))?
                .ok_or_else(|| {
                    WebError::new(
                        StatusCode::UNAUTHORIZED,
                        "the token is not a live thuocdo token",
                    )
                    .in_lang(lang)
                })?;
            return Ok(Visit {
                caller,
                lang,
                here,
                stale_token: false,
            });
        }
        let (caller, stale_token) = match cookie(parts, SESSION_COOKIE).filter(|s| !s.is_empty()) {
            None => (Caller(None), false),
            Some(id) => match sessions::actor(state.registry.store(), id, &state.sessions)
                .await
                .map_err(|e| WebError::from(e).in_lang(lang))?
            {
                Some(actor) => (Caller(Some(actor)), false),
                None => (Caller(None), true),
            },
        };
        Ok(Visit {
            caller,
            lang,
            here,
            stale_token,
        })
    }
}

/// What every page shares: the language, the reader, the way to switch.
pub struct Chrome {
    /// `vi` or `en`.
    pub lang: &'static str,
    /// The words in that language.
    pub w: &'static Words,
    /// The page's title.
    pub title: String,
    /// Who is signed in, and as what.
    pub user: Option<String>,
    /// Whether to offer the sandbox.
    pub analyst: bool,
    /// The same page in Vietnamese, and in English.
    pub to_vi: String,
    /// See `to_vi`.
    pub to_en: String,
    /// Where signing in returns.
    pub here: String,
    /// A notice above the page.
    pub notice: Option<&'static str>,
}

/// `text` percent-encoded for a query value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Visit {
    /// The words in the reader's language.
    pub fn w(&self) -> &'static Words {
        self.lang.words()
    }

    /// The chrome of a page titled `title`.
    pub fn chrome(&self, title: impl Into<String>) -> Chrome {
        let back = encode(&self.here);
        Chrome {
            lang: self.lang.code(),
            w: self.w(),
            title: title.into(),
            user: self.caller.0.as_ref().map(|a| {
                format!(
                    "{} ({})",
                    a.name,
                    self.caller.role_name().unwrap_or_default()
                )
            }),
            analyst: self
                .caller
                .kind()
                .is_some_and(|k| SANDBOX_ROLES.contains(&k)),
            to_vi: format!("/lang/vi?back={back}"),
            to_en: format!("/lang/en?back={back}"),
            here: self.here.clone(),
            notice: self.stale_token.then_some(self.w().stale_token),
        }
    }

    /// An error shown in the reader's language.
    pub fn error(&self, e: impl Into<WebError>) -> WebError {
        e.into().in_lang(self.lang)
    }

    /// The page, as a response: never cached when it was made for a signed-in
    /// reader; a stale token's cookie cleared.
    pub fn respond(&self, page: impl Template) -> Result<Response, WebError> {
        let html = page.render().map_err(|e| self.error(e))?;
        let mut response = (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
        if self.caller.0.is_some() || self.stale_token {
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        }
        if self.stale_token {
            headers.append(SET_COOKIE, clear(SESSION_COOKIE));
        }
        Ok(response)
    }
}

fn clear(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
    ))
    .expect("a cookie name is a header value")
}

/// Where a redirect may go: a path on this host, never another site.
fn local(back: Option<&str>) -> &str {
    match back {
        Some(b) if is_local_path(b) => b,
        _ => "/",
    }
}

/// A path on this host: one `/` first, and nothing a browser drops or reads
/// as a separator anywhere (control characters such as the tab in
/// `/%09/evil.example`, which browsers strip to `//evil.example`; spaces;
/// `\`, which they read as `/`), so no browser can make it `//other-host`.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

pub(crate) fn see_other(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// Where to go back to.
#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// `/lang/{code}`: remembers the language and returns to the page.
pub async fn switch_lang(
    Path(code): Path<String>,
    Query(back): Query<Back>,
) -> Result<Response, WebError> {
    let lang = Lang::from_code(&code)
        .ok_or_else(|| WebError::bad_request(format!("lang `{code}`: vi or en")))?;
    let mut response = see_other(local(back.back.as_deref()));
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        ))
        .expect("a language code is a header value"),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    back: String,
    problem: Option<String>,
}

/// `GET /login`: the form.
pub async fn login_form(visit: Visit, Query(back): Query<Back>) -> Result<Response, WebError> {
    visit.respond(LoginPage {
        c: visit.chrome(visit.w().sign_in),
        back: local(back.back.as_deref()).to_string(),
        problem: None,
    })
}

/// What the sign-in form sends.
#[derive(Deserialize)]
pub struct SignIn {
    token: String,
    back: Option<String>,
}

/// Whether a state-changing form comes from this site: its `Origin`, or
/// failing that its `Referer`, names this host. A request with neither (a
/// client that is not a browser) is let through: browsers send `Origin` with
/// every form they post, so a page elsewhere cannot post without one.
pub(crate) fn from_this_site(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let authority = |url: &str| {
        url.split_once("://")
            .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or("").to_string())
    };
    let named = headers
        .get(ORIGIN)
        .or_else(|| headers.get(REFERER))
        .map(|v| v.to_str().ok().and_then(authority));
    match named {
        None => true,
        Some(Some(authority)) => authority.eq_ignore_ascii_case(host),
        // Unreadable, or `Origin: null`: not this site.
        Some(None) => false,
    }
}

pub(crate) fn other_site(visit: &Visit) -> WebError {
    visit.error(WebError::forbidden(
        "this form was sent from another site: sign in from this site's own page",
    ))
}

/// The cookie that keeps session `id`.
pub(crate) fn session_cookie(id: &str, secure: bool) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    ))
    .expect("a hex id is a header value")
}

/// `POST /login`: checks the token; a live one opens a session, whose id the
/// cookie keeps, and the reader goes back where they were; a wrong one gets
/// the form again with why.
pub async fn login(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    form: Result<Form<SignIn>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    if !from_this_site(&headers) {
        return Err(other_site(&visit));
    }
    let Form(form) = form.map_err(|e| visit.error(WebError::bad_request(e.body_text())))?;
    let back = local(form.back.as_deref()).to_string();
    let secret = form.token.trim();
    let opened = if secret.is_empty() {
        Err("the token is empty: paste the whole token".to_string())
    } else if !secret
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        Err("a token holds only letters, digits, `-`, `_` and `.`".to_string())
    } else {
        sessions::open(state.registry.store(), secret, &state.sessions)
            .await
            .map_err(|e| visit.error(e))?
            .ok_or_else(|| "the token is not a live thuocdo token".to_string())
    };
    let id = match opened {
        Ok(id) => id,
        Err(problem) => {
            let mut response = visit.respond(LoginPage {
                c: visit.chrome(visit.w().sign_in),
                back,
                problem: Some(problem),
            })?;
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            return Ok(response);
        }
    };
    let mut response = see_other(&back);
    response
        .headers_mut()
        .insert(SET_COOKIE, session_cookie(&id, state.sessions.secure));
    Ok(response)
}

/// `POST /logout`: ends the session and forgets its cookie.
pub async fn logout(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if !from_this_site(&headers) {
        return Err(other_site(&visit));
    }
    let id = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string());
    if let Some(id) = id.filter(|id| !id.is_empty()) {
        sessions::end(state.registry.store(), &id)
            .await
            .map_err(|e| visit.error(e))?;
    }
    let mut response = see_other("/");
    response
        .headers_mut()
        .insert(SET_COOKIE, clear(SESSION_COOKIE));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_stay_on_this_host() {
        // As the query decodes them: %09 is a tab, %5C a backslash, %2F a slash.
        for payload in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "//evil.example",
            "/ /evil.example",
            "https:evil.example",
            "https://evil.example/",
            "evil.example",
            "/\u{85}/evil.example",
            "",
        ] {
            assert_eq!(local(Some(payload)), "/", "{payload:?}");
        }
        // Encoded twice, the second encoding stays in the path: on site.
        for fine in [
            "/runs/1?lang=en",
            "/%2F/evil.example",
            "/%09/x",
            "/catalogue",
        ] {
            assert_eq!(local(Some(fine)), fine);
        }
        assert_eq!(local(None), "/");
    }

    #[test]
    fn forms_from_another_site_are_told_apart_and_https_cookies_are_secure() {
        let headers = |pairs: &[(axum::http::HeaderName, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
            }
            h
        };
        let host = (HOST, "thuocdo.example:8080");
        assert!(from_this_site(&headers(std::slice::from_ref(&host))));
        assert!(from_this_site(&headers(&[
            host.clone(),
            (ORIGIN, "https://thuocdo.example:8080")
        ])));
        assert!(from_this_site(&headers(&[
            host.clone(),
            (REFERER, "http://thuocdo.example:8080/login?back=/")
        ])));
        for (name, value) in [
            (ORIGIN, "https://evil.example"),
            (ORIGIN, "null"),
            (ORIGIN, "https://thuocdo.example:8080.evil.example"),
            (REFERER, "https://evil.example/thuocdo.example:8080"),
        ] {
            assert!(
                !from_this_site(&headers(&[host.clone(), (name, value)])),
                "{value}"
            );
        }
        assert!(!from_this_site(&headers(&[(
            ORIGIN,
            "https://thuocdo.example:8080"
        )])));
        let cookie = |secure| session_cookie("ab12", secure).to_str().unwrap().to_string();
        assert!(cookie(true).ends_with("; Secure"));
        assert!(!cookie(false).contains("Secure"));
        assert!(cookie(false).contains("HttpOnly; SameSite=Strict"));
    }
}
