//! Ad-hoc evaluation: one or many subjects' facts, each scored in its own
//! fresh instance, with the version assigned to their post for the period or
//! a version named in the request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Json;
use axum::extract::State;

use super::Metrics;
use super::problems::{Failed, JsonBody, NotFound, Unauthenticated};
use super::types::{EvaluateRequest, Evaluations, ScoreError, Scored};
use crate::access::{Allowed, Evaluate};
use crate::app::AppState;
use crate::app::{Body, HttpError};
use crate::explain;
use crate::input::NamedInput;
use crate::registry::{Period, Resolver};
use crate::runtime::{EvaluationError, EvaluationInput, Plugin, Runtime};
use crate::view::EvaluationView;

/// One subject ready to score: the plugin, its version, the input.
type Work = (Arc<Plugin>, String, EvaluationInput);

fn failed(subject: &str, kind: &str, message: String) -> Scored {
    Scored {
        subject: subject.to_string(),
        plugin: None,
        version: None,
        sha256: None,
        evaluation: None,
        error: Some(ScoreError {
            kind: kind.to_string(),
            message,
        }),
    }
}

/// Scores subjects, each in its own instance.
#[utoipa::path(post, path = "/api/v1/evaluate", tag = "evaluate",
    request_body = EvaluateRequest,
    responses(
        (status = 200, description = "One answer per subject, scored or with the reason it was not", body = Evaluations),
        Unauthenticated, JsonBody, NotFound, Failed,
    ),
    security(("bearer" = [])))]
pub async fn evaluate(
    State(state): State<AppState>,
    _caller: Allowed<Evaluate>,
    Body(body): Body<EvaluateRequest>,
) -> Result<Json<Evaluations>, HttpError> {
    let request = body;
    if request.subjects.len() > super::MAX_SUBJECTS_PER_REQUEST {
        return Err(HttpError::bad_request(format!(
            "{} subjects in one request; at most {}",
            request.subjects.len(),
            super::MAX_SUBJECTS_PER_REQUEST
        ))
        .field("subjects"));
    }
    let named: Option<Arc<Plugin>> = match &request.plugin {
        Some(p) => {
            let (name, version) = p.split_once('@').ok_or_else(|| {
                HttpError::bad_request(format!("`{p}` must be namespace/name@version"))
                    .field("plugin")
            })?;
            Some(state.registry.plugin(name, version).await?)
        }
        None => None,
    };
    // Each subject's plugin and input, or why there is none.
    let mut resolvers: HashMap<String, Arc<Mutex<Resolver>>> = HashMap::new();
    let mut work: Vec<Result<Work, Scored>> = Vec::new();
    for s in &request.subjects {
        let id = &s.subject.id;
        let plugin = match &named {
            Some(p) => p.clone(),
            None => match resolve(&state, &mut resolvers, s).await {
                Ok(p) => p,
                Err(e) => {
                    work.push(Err(e));
                    continue;
                }
            },
        };
        match s.to_input(&plugin.info) {
            Ok(input) => {
                let version = plugin.info.version.clone();
                work.push(Ok((plugin, version, input)));
            }
            Err(message) => work.push(Err(failed(id, "bad-input", message))),
        }
    }
    // Each plugin version's subjects run together behind its share of the
    // workers (the bulkhead), so a version that loops holds only its share.
    let mut answers: Vec<Option<Scored>> = Vec::with_capacity(work.len());
    let mut groups: Vec<(String, Vec<(usize, Work)>)> = Vec::new();
    for (i, item) in work.into_iter().enumerate() {
        match item {
            Err(scored) => answers.push(Some(scored)),
            Ok(w) => {
                answers.push(None);
                let key = format!("{}@{}", w.0.info.name, w.1);
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, items)) => items.push((i, w)),
                    None => groups.push((key, vec![(i, w)])),
                }
            }
        }
    }
    for (key, items) in groups {
        let permit = state.bulkhead.enter(&key).await;
        let runtime = state.registry.runtime_arc();
        let metrics = state.metrics.clone();
        let scored = state
            .bulkhead
            .run(&key, move || {
                let _permit = permit;
                items
                    .into_iter()
                    .map(|(i, w)| (i, score(&runtime, &metrics, w)))
                    .collect::<Vec<_>>()
            })
            .await
            .map_err(|e| HttpError::internal(format!("the evaluation thread failed: {e}")))?;
        let ran_out = scored.iter().any(|(_, s)| {
            s.error
                .as_ref()
                .is_some_and(|e| e.kind == "out-of-fuel" || e.kind == "deadline")
        });
        if ran_out {
            state.bulkhead.suspect(&key);
        }
        for (i, s) in scored {
            answers[i] = Some(s);
        }
    }
    Ok(Json(Evaluations {
        evaluations: answers
            .into_iter()
            .map(|a| a.expect("every subject answered"))
            .collect(),
    }))
}

/// Scores one subject in a fresh instance and counts it.
fn score(runtime: &Runtime, metrics: &Metrics, (plugin, version, input): Work) -> Scored {
    let started = Instant::now();
    let outcome = runtime.evaluate(&plugin, &input);
    let info = &plugin.info;
    let mut scored = Scored {
        subject: input.subject.id.clone(),
        plugin: Some(info.name.clone()),
        version: Some(version.clone()),
        sha256: Some(plugin.sha256.clone()),
        evaluation: None,
        error: None,
    };
    let kind = match outcome {
        Ok(evaluated) => match evaluated.answer {
            Ok(eval) => {
                scored.evaluation = Some(EvaluationView::new(info, &eval, &evaluated.log));
                "scored"
            }
            Err(e) => {
                let kind = match e {
                    EvaluationError::MissingFact(_) => "missing-fact",
                    EvaluationError::InvalidFact(_) => "invalid-fact",
                    EvaluationError::WrongFactCount(_) => "wrong-fact-count",
                };
                scored.error = Some(ScoreError {
                    kind: kind.into(),
                    message: explain::evaluation_error(info, &e),
                });
                "refused"
            }
        },
        Err(e) => {
            metrics.fault(e.kind());
            tracing::warn!(
                plugin = %info.name,
                version = %version,
                subject = %scored.subject,
                kind = e.kind(),
                "plugin fault"
            );
            scored.error = Some(ScoreError {
                kind: e.kind().into(),
                message: e.to_string(),
            });
            "fault"
        }
    };
    metrics.evaluation(&info.name, &version, kind, started.elapsed());
    scored
}

/// The plugin assigned to a subject's post for its period.
async fn resolve(
    state: &AppState,
    resolvers: &mut HashMap<String, Arc<Mutex<Resolver>>>,
    s: &NamedInput,
) -> Result<Arc<Plugin>, Scored> {
    let id = &s.subject.id;
    let period = Period::parse(&s.period).map_err(|e| failed(id, "bad-input", e.to_string()))?;
    if !resolvers.contains_key(&period.text) {
        let r = state
            .registry
            .shared_resolver(&period.text)
            .await
            .map_err(|e| failed(id, "unassigned", e.to_string()))?;
        resolvers.insert(period.text.clone(), r);
    }
    let resolver = resolvers.get(&period.text).expect("inserted above");
    let resolved = resolver
        .lock()
        .unwrap()
        .resolve_kind(&s.subject.position, &s.subject.unit, Some(period.kind()))
        .map_err(|e| failed(id, "unassigned", e.to_string()))?
        .ok_or_else(|| {
            failed(
                id,
                "unassigned",
                format!(
                    "post `{}` has no scorecard for a period like {}",
                    s.subject.position, period.text
                ),
            )
        })?;
    state
        .registry
        .plugin(&resolved.assignment.plugin, &resolved.version)
        .await
        .map_err(|e| failed(id, "unassigned", e.to_string()))
}
