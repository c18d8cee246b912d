//! The organisation a run scores: units (with their type and parent), posts
//! (with the group of similar tasks a quota counts within), subjects (people
//! or units, each in a unit and on a post) and the assignments of scorecards to
//! posts — loaded from one JSON document in bulk, all or nothing.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::access::{Actor, Role};
use crate::registry::assign::{Assigned, Placement, Tree};
use crate::registry::{Error as RegistryError, Period, Registry};
use crate::scoring::{Result, RowError, RowErrors};
use crate::store::Guarded;
use crate::store::bulk::Cell;
use crate::store::org::{SubjectRow, UnitRow};

/// An organisation document: what `thuocdo org import` and the API take, and
/// what `thuocdo gen-data` writes.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Units, parents before or after their children.
    #[serde(default)]
    pub units: Vec<UnitRecord>,
    /// Posts.
    #[serde(default)]
    pub posts: Vec<PostRecord>,
    /// People and units that are scored.
    #[serde(default)]
    pub subjects: Vec<SubjectRecord>,
    /// Scorecards assigned to post types within unit subtrees.
    #[serde(default)]
    pub assignments: Vec<AssignmentRecord>,
}

/// A unit of the organisation.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitRecord {
    /// Its code: `xa-my-lam`.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its type: province, agency, commune, service-centre, tax-office, …
    pub kind: String,
    /// The enclosing unit, if any.
    #[serde(default)]
    pub parent: Option<String>,
    /// Whether the unit publishes its people's results (its aggregates are
    /// always public).
    #[serde(default)]
    pub publishes_people: bool,
}

/// A post: what a person is scored as.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostRecord {
    /// Its code: `commune-chair`.
    pub code: String,
    /// Its title.
    pub title: String,
    /// The group of similar tasks a quota counts within.
    pub task_group: String,
}

/// Whether a subject is a person or a unit scored as a whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    /// A person.
    #[default]
    Person,
    /// A unit scored as a whole.
    Unit,
}

impl SubjectKind {
    fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Person => "person",
            SubjectKind::Unit => "unit",
        }
    }
}

/// Someone (or some unit) scored.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectRecord {
    /// Their id.
    pub id: String,
    /// Their name.
    pub name: String,
    /// A person or a unit.
    #[serde(default)]
    pub kind: SubjectKind,
    /// The unit they belong to.
    pub unit: String,
    /// Their post's code.
    pub post: String,
    /// Months worked in the year, where the rules need it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_worked: Option<i64>,
    /// Months absent in the year, where the rules need it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_absent: Option<i64>,
}

/// A scorecard assigned to a post type within a unit subtree from a period.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRecord {
    /// A position code or an agency type.
    pub post_type: String,
    /// `namespace/name@requirement`.
    pub plugin: String,
    /// The root of the subtree.
    pub unit: String,
    /// The first period it applies to.
    pub from: String,
}

/// What an import changed.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OrgImported {
    /// Units written.
    pub units: usize,
    /// Posts written.
    pub posts: usize,
    /// Subjects written.
    pub subjects: usize,
    /// Assignments made (an identical one already made is left as it is).
    pub assignments: usize,
}

fn code_ok(code: &str) -> bool {
    !code.is_empty() && code.len() <= 128 && !code.chars().any(|c| c.is_whitespace() || c == ',')
}

/// Units in an order that puts every parent before its children.
fn parents_first(units: &[UnitRecord]) -> Vec<&UnitRecord> {
    let by_code: HashMap<&str, &UnitRecord> = units.iter().map(|u| (u.code.as_str(), u)).collect();
    let mut placed: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(units.len());
    for unit in units {
        let mut chain = vec![unit];
        while let Some(p) = chain.last().unwrap().parent.as_deref() {
            match by_code.get(p) {
                Some(parent) if !placed.contains(p) && !chain.iter().any(|u| u.code == p) => {
                    chain.push(parent)
                }
                _ => break,
            }
        }
        for u in chain.into_iter().rev() {
            if placed.insert(&u.code) {
                out.push(u);
            }
        }
    }
    out
}

/// Loads an organisation document: every entry is checked first and the
/// document refused whole, listing every bad entry; then all of it (units,
/// posts, subjects and assignments) is written in one transaction that holds
/// the organisation still from the first read to the commit, with one audit
/// entry giving the before and after of every unit and subject it changed.
///
/// A unit admin changes only units and subjects inside their subtree now,
/// places them only inside it, and leaves a unit's `publishes_people` as it
/// is (a new unit takes its parent's): moving anything across subtrees and
/// choosing what the public sees are an admin's acts.
pub async fn import(registry: &Registry, actor: &Actor, org: &Organisation) -> Result<OrgImported> {
    let mut bad = RowErrors::default();
    let mut flag = |at: String, reason: String| bad.push(RowError { at, reason });
    for (i, a) in org.assignments.iter().enumerate() {
        let at = format!("assignments[{i}] ({})", a.post_type);
        match a.plugin.split_once('@') {
            None => flag(
                at,
                format!(
                    "plugin `{}` must be written namespace/name@requirement",
                    a.plugin
                ),
            ),
            Some((plugin, req)) => {
                if let Err(e) = Period::parse(&a.from) {
                    flag(at.clone(), e.to_string());
                }
                // Versions are not part of the organisation: checked before
                // the guard is taken.
                if let Err(e) = registry.check_requirement(plugin, req).await {
                    flag(at, e.to_string());
                }
            }
        }
    }

    let mut tx = registry
        .store()
        .begin_guarding(Guarded::Organisation)
        .await?;
    let stored_units = tx.units().await?;
    let stored_posts = tx.post_codes().await?;
    let stored_subjects = tx.subjects().await?;
    let now: HashMap<&str, Option<&str>> = stored_units
        .iter()
        .map(|u| (u.code.as_str(), u.parent.as_deref()))
        .collect();
    let stored_unit: HashMap<&str, &UnitRow> =
        stored_units.iter().map(|u| (u.code.as_str(), u)).collect();
    let stored_subject: HashMap<&str, &SubjectRow> =
        stored_subjects.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut parent_of = now.clone();
    for u in &org.units {
        parent_of.insert(&u.code, u.parent.as_deref());
    }
    let publishes: HashMap<&str, bool> = stored_units
        .iter()
        .map(|u| (u.code.as_str(), u.publishes_people))
        .chain(
            org.units
                .iter()
                .map(|u| (u.code.as_str(), u.publishes_people)),
        )
        .collect();
    let posts: HashSet<&str> = stored_posts
        .iter()
        .map(String::as_str)
        .chain(org.posts.iter().map(|p| p.code.as_str()))
        .collect();

    let mut seen = HashSet::new();
    for (i, u) in org.units.iter().enumerate() {
        let at = format!("units[{i}] ({})", u.code);
        if !code_ok(&u.code) {
            flag(
                at.clone(),
                "a unit code must be non-empty, without spaces or commas".into(),
            );
        }
        if !seen.insert(u.code.as_str()) {
            flag(at.clone(), "the same unit code appears twice".into());
        }
        if u.name.trim().is_empty() || u.kind.trim().is_empty() {
            flag(at.clone(), "a unit needs a name and a kind".into());
        }
        if let Some(p) = &u.parent
            && !parent_of.contains_key(p.as_str())
        {
            flag(
                at.clone(),
                format!("parent `{p}` is neither in the file nor known"),
            );
        }
        // Walk up: a unit may not be its own ancestor.
        let mut cursor = u.parent.as_deref();
        let mut steps = 0;
        while let Some(p) = cursor {
            if p == u.code || steps > parent_of.len() {
                flag(at.clone(), "the unit would be its own ancestor".into());
                break;
            }
            cursor = parent_of.get(p).copied().flatten();
            steps += 1;
        }
        if let Role::UnitAdmin { unit: root } = &actor.role {
            let placed_inside = u
                .parent
                .as_deref()
                .is_some_and(|p| within(p, root, &parent_of));
            if !placed_inside {
                flag(
                    at.clone(),
                    format!(
                        "{} may place units only inside their subtree `{root}`",
                        actor.name
                    ),
                );
            }
            let before = stored_unit.get(u.code.as_str());
            if before.is_some() && !within(&u.code, root, &now) {
                flag(
                    at.clone(),
                    format!(
                        "`{}` is outside {}'s subtree `{root}`: moving or changing it takes an admin",
                        u.code, actor.name
                    ),
                );
            }
            let inherited = u
                .parent
                .as_deref()
                .and_then(|p| publishes.get(p).copied())
                .unwrap_or(false);
            let kept = before.map_or(inherited, |b| b.publishes_people);
            if u.publishes_people != kept {
                flag(
                    at,
                    format!(
                        "publishes_people must stay {kept}: choosing what the public sees takes an admin"
                    ),
                );
            }
        } else if actor.role != Role::Admin {
            flag(
                at,
                format!(
                    "{} may not change units: that takes an admin or a unit admin",
                    actor.name
                ),
            );
        }
    }
    let mut seen = HashSet::new();
    for (i, p) in org.posts.iter().enumerate() {
        let at = format!("posts[{i}] ({})", p.code);
        if !code_ok(&p.code) || !code_ok(&p.task_group) {
            flag(
                at.clone(),
                "post code and task group must be non-empty, without spaces or commas".into(),
            );
        }
        if !seen.insert(p.code.as_str()) {
            flag(at.clone(), "the same post code appears twice".into());
        }
        if actor.role != Role::Admin {
            flag(
                at,
                format!("{} may not change posts: that takes an admin", actor.name),
            );
        }
    }
    let mut seen = HashSet::new();
    for (i, s) in org.subjects.iter().enumerate() {
        let at = format!("subjects[{i}] ({})", s.id);
        if !code_ok(&s.id) {
            flag(
                at.clone(),
                "a subject id must be non-empty, without spaces or commas".into(),
            );
        }
        if !seen.insert(s.id.as_str()) {
            flag(at.clone(), "the same subject id appears twice".into());
        }
        if !parent_of.contains_key(s.unit.as_str()) {
            flag(
                at.clone(),
                format!("unit `{}` is neither in the file nor known", s.unit),
            );
        } else if !may_change_unit(actor, &s.unit, &parent_of) {
            flag(
                at.clone(),
                format!("{} may not change subjects of `{}`", actor.name, s.unit),
            );
        }
        if let (Some(before), Role::UnitAdmin { unit: root }) =
            (stored_subject.get(s.id.as_str()), &actor.role)
            && !within(&before.unit, root, &now)
        {
            flag(
                at.clone(),
                format!(
                    "`{}` is in `{}`, outside {}'s subtree `{root}`: moving or changing them takes an admin",
                    s.id, before.unit, actor.name
                ),
            );
        }
        if !posts.contains(s.post.as_str()) {
            flag(
                at.clone(),
                format!("post `{}` is neither in the file nor known", s.post),
            );
        }
        for (what, v) in [
            ("months_worked", s.months_worked),
            ("months_absent", s.months_absent),
        ] {
            if v.is_some_and(|m| !(0..=12).contains(&m)) {
                flag(at.clone(), format!("{what} must be 0 to 12"));
            }
        }
    }
    bad.check("organisation")?;

    let units: Vec<Vec<Cell>> = parents_first(&org.units)
        .into_iter()
        .map(|u| {
            vec![
                u.code.as_str().into(),
                u.name.as_str().into(),
                u.kind.as_str().into(),
                u.parent.clone().into(),
                Cell::Int(i64::from(u.publishes_people)),
            ]
        })
        .collect();
    // Parents come first in the statement, so each row's parent is there
    // whenever the database checks it.
    tx.upsert_units(units).await?;
    let posts: Vec<Vec<Cell>> = org
        .posts
        .iter()
        .map(|p| {
            vec![
                p.code.as_str().into(),
                p.title.as_str().into(),
                p.task_group.as_str().into(),
            ]
        })
        .collect();
    tx.upsert_posts(posts).await?;
    let subjects: Vec<Vec<Cell>> = org
        .subjects
        .iter()
        .map(|s| {
            vec![
                s.id.as_str().into(),
                s.name.as_str().into(),
                s.kind.as_str().into(),
                s.unit.as_str().into(),
                s.post.as_str().into(),
                s.months_worked.into(),
                s.months_absent.into(),
            ]
        })
        .collect();
    tx.upsert_subjects(subjects).await?;

    // Assignments go in the same transaction, against the tree just written.
    let units_now = tx.units().await?;
    let tree = Tree::of(&units_now);
    let mut assigned = 0;
    let mut bad = RowErrors::default();
    for (i, a) in org.assignments.iter().enumerate() {
        let (plugin, req) = a.plugin.split_once('@').expect("checked above");
        let from = Period::parse(&a.from)?;
        let placed = Placement {
            post_type: &a.post_type,
            plugin,
            requirement: req,
            unit: &a.unit,
            from: &from,
        };
        let at = format!("assignments[{i}] ({})", a.post_type);
        match registry.assign_within(&mut tx, actor, &placed, &tree).await {
            Ok(Assigned::New(_)) => assigned += 1,
            Ok(Assigned::Same(first)) if first.plugin == plugin && first.requirement == req => {}
            Ok(Assigned::Same(first)) => bad.push(RowError {
                at,
                reason: format!(
                    "`{}` in `{}` from {} is assigned already (#{} {} {} by {})",
                    a.post_type,
                    a.unit,
                    from.start,
                    first.id,
                    first.plugin,
                    first.requirement,
                    first.assigned_by
                ),
            }),
            Err(RegistryError::Store(e)) => return Err(e.into()),
            Err(e) => bad.push(RowError {
                at,
                reason: e.to_string(),
            }),
        }
    }
    bad.check("organisation")?;
    let detail = serde_json::json!({
        "units": org.units.len(), "posts": org.posts.len(), "subjects": org.subjects.len(),
        "assignments": assigned,
        "changed": changes(org, &stored_unit, &stored_subject),
    });
    Registry::audit(&mut tx, actor, "organisation", "import", detail).await?;
    tx.commit().await?;
    registry.changed();
    Ok(OrgImported {
        units: org.units.len(),
        posts: org.posts.len(),
        subjects: org.subjects.len(),
        assignments: assigned,
    })
}

/// The audit's account of an import: how many units and subjects are new,
/// and the before and after of each one that existed and changed.
fn changes(
    org: &Organisation,
    stored_unit: &HashMap<&str, &UnitRow>,
    stored_subject: &HashMap<&str, &SubjectRow>,
) -> serde_json::Value {
    let mut units_added = 0;
    let mut units = Vec::new();
    for u in &org.units {
        match stored_unit.get(u.code.as_str()) {
            None => units_added += 1,
            Some(b)
                if b.name != u.name
                    || b.kind != u.kind
                    || b.parent != u.parent
                    || b.publishes_people != u.publishes_people =>
            {
                units.push(serde_json::json!({"code": u.code, "before": b, "after": u}));
            }
            Some(_) => {}
        }
    }
    let mut subjects_added = 0;
    let mut subjects = Vec::new();
    for s in &org.subjects {
        match stored_subject.get(s.id.as_str()) {
            None => subjects_added += 1,
            Some(b)
                if b.name != s.name
                    || b.kind != s.kind.as_str()
                    || b.unit != s.unit
                    || b.post != s.post
                    || b.months_worked != s.months_worked
                    || b.months_absent != s.months_absent =>
            {
                subjects.push(serde_json::json!({"id": s.id, "before": b, "after": s}));
            }
            Some(_) => {}
        }
    }
    serde_json::json!({
        "units_added": units_added, "units": units,
        "subjects_added": subjects_added, "subjects": subjects,
    })
}

/// Whether `unit` is `root` or below it in the tree `parent_of` gives.
fn within(unit: &str, root: &str, parent_of: &HashMap<&str, Option<&str>>) -> bool {
    let mut cursor = Some(unit);
    for _ in 0..=parent_of.len() {
        match cursor {
            Some(u) if u == root => return true,
            Some(u) => cursor = parent_of.get(u).copied().flatten(),
            None => return false,
        }
    }
    false
}

/// Admins change any unit; a unit admin the units within their subtree.
fn may_change_unit(actor: &Actor, unit: &str, parent_of: &HashMap<&str, Option<&str>>) -> bool {
    match &actor.role {
        Role::Admin => true,
        Role::UnitAdmin { unit: root } => within(unit, root, parent_of),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, parent: Option<&str>) -> UnitRecord {
        UnitRecord {
            code: code.into(),
            name: code.into(),
            kind: "agency".into(),
            parent: parent.map(Into::into),
            publishes_people: false,
        }
    }

    #[test]
    fn parents_come_first() {
        let units = [
            unit("c", Some("b")),
            unit("b", Some("a")),
            unit("a", None),
            unit("d", Some("zz")),
        ];
        let order: Vec<&str> = parents_first(&units)
            .iter()
            .map(|u| u.code.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }
}
