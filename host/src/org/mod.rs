//! The organisation a run scores: units (with their type and parent), posts
//! (with the group of similar tasks a quota counts within), subjects (people
//! or units, each in a unit and on a post) and the assignments of scorecards to
//! posts — loaded from one JSON document in bulk, all or nothing, read an
//! entry at a time.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::access::{Actor, Role};
use crate::registry::assign::{Assigned, Placement, Tree};
use crate::registry::{Error as RegistryError, Period, Registry};
use crate::scoring::{Error, Result, RowError, RowErrors};
use crate::store::Guarded;
use crate::store::bulk::Cell;
use crate::store::org::{SubjectRow, UnitRow};

pub mod exemptions;
pub mod names;
mod read;
pub use read::MAX_SMALL_SECTION;

/// An organisation document: what `thuocdo org import` and the API take, and
/// what `thuocdo gen-data` writes.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// The month ("2025-07") from which the document's moves take effect:
    /// where a subject's unit or post, or a unit's parent, changes, the
    /// place before is kept for the months before it, so runs of those
    /// months count them where they were. Without it a change holds for
    /// every period not yet recorded otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
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
    /// Whether, publishing its people's results, it publishes their final
    /// grades only (no totals, no indicators).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub grades_only: bool,
    /// Whether it shows the results of its people and of those of the units
    /// below it to the people signed in among them (Decree 90's publication
    /// inside the agency), without publishing them to the public.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub within_agency: bool,
    /// The posts whose holders lead the unit (`commune-chair`): a
    /// scorecard may read the results of the people they lead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leader_posts: Vec<String>,
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
    /// The category of staff it is (`civil-servant`, `public-employee`, …):
    /// what appeal windows its holders have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The post's catalogue of work product types; given, it replaces the
    /// one stored, absent, the stored one stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<ProductTypeRecord>>,
}

/// The most product types one post's catalogue may hold.
pub const MAX_PRODUCT_TYPES: usize = 1_000;

/// A type of work product a post delivers, and what one is worth.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductTypeRecord {
    /// Its code: `appraisal-report`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its unit: "báo cáo / reports".
    pub unit: String,
    /// How many standard products one is worth, a decimal as text: "1.5".
    pub coefficient: String,
    /// The rule that sets the coefficient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

impl ProductTypeRecord {
    /// The coefficient in ten-thousandths, when it is a positive decimal.
    fn coefficient(&self) -> Option<i64> {
        thuocdo_sdk::Fixed::parse(self.coefficient.trim())
            .map(thuocdo_sdk::Fixed::raw)
            .filter(|&c| c > 0)
    }
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
    /// Their direct manager's subject id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
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
    /// Subjects whose place before the document's `from` month was kept.
    #[serde(default)]
    pub moved: usize,
}

/// A code or id: no spaces, commas or control characters (a run reads
/// subjects packed with U+001E and U+001F between them: store/runs.rs).
fn code_ok(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 128
        && !code
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
}

/// Units in an order that puts every parent before its children.
fn parents_first<'a>(units: &[&'a UnitRecord]) -> Vec<&'a UnitRecord> {
    let by_code: HashMap<&str, &UnitRecord> = units.iter().map(|u| (u.code.as_str(), *u)).collect();
    let mut placed: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(units.len());
    for &unit in units {
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

/// Entries handed from the reading thread at a time.
const READ_BATCH: usize = 1024;
/// Staged subjects written in one go.
const STAGE_BATCH: usize = 4096;
/// Staged subjects checked at a time.
const CHECK_PAGE: i64 = 2_000;
/// Changed subjects listed in one audit entry.
const CHANGES_PER_ENTRY: usize = 1_000;

/// Loads an organisation document held in memory (see [`import_from`]).
pub async fn import(registry: &Registry, actor: &Actor, org: &Organisation) -> Result<OrgImported> {
    let bytes = serde_json::to_vec(org)
        .map_err(|e| Error::Internal(format!("writing the organisation as JSON: {e}")))?;
    import_from(registry, actor, std::io::Cursor::new(bytes)).await
}

/// Loads an organisation document read from `source` an entry at a time:
/// units, posts and assignments are kept (at most
/// [`read::MAX_SMALL_SECTION`] of each), subjects are staged in the import's
/// own transaction as they are read, so memory does not grow with the
/// number of people. Every entry is checked and the document refused whole
/// when any is bad (the first 1,000 named, all counted); otherwise all of it
/// (units, posts, subjects and assignments) is written in that one
/// transaction, which holds the organisation still from the first read to
/// the commit, with audit entries giving the before and after of every unit
/// and subject it changed.
///
/// A unit admin changes only units and subjects inside their subtree now,
/// places them only inside it, and leaves a unit's `publishes_people` as it
/// is (a new unit takes its parent's): moving anything across subtrees and
/// choosing what the public sees are an admin's acts.
pub async fn import_from(
    registry: &Registry,
    actor: &Actor,
    source: impl std::io::Read + Send + 'static,
) -> Result<OrgImported> {
    if !matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) {
        return Err(Error::Forbidden(format!(
            "{} may not change the organisation: that takes an admin or a unit admin",
            actor.name
        )));
    }
    let mut tx = registry
        .store()
        .begin_guarding(Guarded::Organisation)
        .await?;
    let stored_units = tx.units().await?;
    let stored_posts = tx.post_codes().await?;
    tx.stage_subjects().await?;
    let started = std::time::Instant::now();

    // The document is read on a thread of its own, a batch at a time.
    let (mut receive, reading) =
        crate::facts::read_on_a_thread(READ_BATCH, move |sink| read::read(source, sink));
    let mut bad = RowErrors::default();
    let mut from: Option<String> = None;
    let mut moved_from: u64 = 0;
    let mut units: Vec<(usize, UnitRecord)> = Vec::new();
    let mut posts: Vec<(usize, PostRecord)> = Vec::new();
    let mut assignments: Vec<(usize, AssignmentRecord)> = Vec::new();
    let mut subjects = 0usize;
    let mut staged: Vec<Vec<Cell>> = Vec::with_capacity(STAGE_BATCH);
    // An admin's subject whose unit and post are known by the time it is
    // read is checked then (a unit or post, once known, stays known); the
    // rest, and all of a unit admin's, whose subtree the whole document may
    // change, are checked once the document is read.
    let mut units_known: HashSet<String> = stored_units.iter().map(|u| u.code.clone()).collect();
    let mut posts_known: HashSet<String> = stored_posts.clone();
    while let Some(batch) = receive.recv().await {
        for entry in batch {
            match entry {
                read::Entry::Unit(i, u) => {
                    units_known.insert(u.code.clone());
                    units.push((i, u));
                }
                read::Entry::Post(i, p) => {
                    posts_known.insert(p.code.clone());
                    posts.push((i, p));
                }
                read::Entry::Assignment(i, a) => assignments.push((i, a)),
                read::Entry::Bad(e) => bad.push(e),
                read::Entry::From(month) => match Period::parse(&month) {
                    Ok(p) if p.kind() == crate::runtime::PeriodKind::Month => from = Some(p.text),
                    _ => bad.push(RowError {
                        at: "from".into(),
                        reason: format!("`{month}` is not a month written YYYY-MM"),
                    }),
                },
                read::Entry::Subject(i, s) => {
                    subjects += 1;
                    let at = format!("subjects[{i}] ({})", s.id);
                    let now = actor.role == Role::Admin
                        && units_known.contains(&s.unit)
                        && posts_known.contains(&s.post);
                    if now {
                        for reason in field_reasons(&s.id, s.months_worked, s.months_absent) {
                            bad.push(RowError {
                                at: at.clone(),
                                reason,
                            });
                        }
                    }
                    let key = names::name_key(&s.name);
                    let folded = names::fold(&s.name);
                    let given = names::given_first(&folded);
                    staged.push(vec![
                        Cell::Int(i64::from(!now)),
                        Cell::Int(i as i64),
                        Cell::Text(at),
                        Cell::Text(s.id),
                        Cell::Text(s.name),
                        Cell::Text(key),
                        Cell::Text(folded),
                        Cell::Text(given),
                        Cell::Code(s.kind.as_str()),
                        Cell::Text(s.unit),
                        Cell::Text(s.post),
                        s.months_worked.into(),
                        s.months_absent.into(),
                        s.manager.into(),
                    ]);
                }
            }
        }
        if staged.len() >= STAGE_BATCH {
            tx.insert_staged_subjects(staged.drain(..)).await?;
        }
    }
    reading
        .await
        .map_err(|e| Error::Internal(format!("reading the organisation failed: {e}")))??;
    tx.insert_staged_subjects(staged.drain(..)).await?;
    tx.index_staged_subjects().await?;
    let read_and_staged = started.elapsed();

    let mut flag = |at: String, reason: String| bad.push(RowError { at, reason });
    for (i, a) in &assignments {
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
                if let Err(e) = registry.check_requirement(plugin, req).await {
                    flag(at, e.to_string());
                }
            }
        }
    }

    let now: HashMap<&str, Option<&str>> = stored_units
        .iter()
        .map(|u| (u.code.as_str(), u.parent.as_deref()))
        .collect();
    let stored_unit: HashMap<&str, &UnitRow> =
        stored_units.iter().map(|u| (u.code.as_str(), u)).collect();
    let mut parent_of = now.clone();
    for (_, u) in &units {
        parent_of.insert(&u.code, u.parent.as_deref());
    }
    // What each unit publishes: people, grades only, inside the agency.
    let publishes: HashMap<&str, (bool, bool, bool)> = stored_units
        .iter()
        .map(|u| {
            (
                u.code.as_str(),
                (u.publishes_people, u.grades_only, u.within_agency),
            )
        })
        .chain(units.iter().map(|(_, u)| {
            (
                u.code.as_str(),
                (u.publishes_people, u.grades_only, u.within_agency),
            )
        }))
        .collect();
    let post_codes: HashSet<&str> = stored_posts
        .iter()
        .map(String::as_str)
        .chain(posts.iter().map(|(_, p)| p.code.as_str()))
        .collect();

    let mut seen = HashSet::new();
    for (i, u) in &units {
        let at = format!("units[{i}] ({})", u.code);
        if !code_ok(&u.code) {
            flag(
                at.clone(),
                "a unit code must be non-empty, without spaces or commas".into(),
            );
        }
        for post in &u.leader_posts {
            if !post_codes.contains(post.as_str()) {
                flag(
                    at.clone(),
                    format!("leader post `{post}` is neither in the file nor known"),
                );
            }
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
                .unwrap_or((false, false, false));
            let kept = before.map_or(inherited, |b| {
                (b.publishes_people, b.grades_only, b.within_agency)
            });
            if (u.publishes_people, u.grades_only, u.within_agency) != kept {
                flag(
                    at,
                    format!(
                        "publishes_people must stay {}, grades_only {} and within_agency {}: choosing who sees people's results takes an admin",
                        kept.0, kept.1, kept.2
                    ),
                );
            }
        }
    }
    let mut seen = HashSet::new();
    for (i, p) in &posts {
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
        if let Some(c) = &p.category
            && !crate::assessment::appeal::category_ok(c)
        {
            flag(
                at.clone(),
                format!(
                    "category `{c}` is not a code of 1 to 50 lower-case letters, digits and `-`"
                ),
            );
        }
        if p.products
            .as_ref()
            .is_some_and(|t| t.len() > MAX_PRODUCT_TYPES)
        {
            flag(
                at.clone(),
                format!("more than {MAX_PRODUCT_TYPES} product types for one post"),
            );
        }
        let mut kinds = HashSet::new();
        for t in p.products.iter().flatten().take(MAX_PRODUCT_TYPES + 1) {
            if !code_ok(&t.kind) {
                flag(
                    at.clone(),
                    format!(
                        "product type `{}` must be a code without spaces or commas",
                        t.kind
                    ),
                );
            }
            if !kinds.insert(t.kind.as_str()) {
                flag(
                    at.clone(),
                    format!("product type `{}` appears twice", t.kind),
                );
            }
            if t.coefficient().is_none() {
                flag(
                    at.clone(),
                    format!(
                        "product type `{}`: coefficient `{}` is not a positive decimal with at most four decimals",
                        t.kind, t.coefficient
                    ),
                );
            }
        }
        if actor.role != Role::Admin {
            flag(
                at,
                format!("{} may not change posts: that takes an admin", actor.name),
            );
        }
    }

    // Subjects: a repeated id, found by the database; then a page at a time,
    // each against the tree and, where it exists, the subject as stored.
    let room = (RowErrors::KEPT.saturating_sub(bad.kept()) as i64).max(1);
    let (repeats, total) = tx.staged_subject_repeats(room).await?;
    for at in repeats {
        bad.push(RowError {
            at,
            reason: "the same subject id appears twice".into(),
        });
    }
    bad.count_more((total as usize).saturating_sub(room as usize));
    let room = (RowErrors::KEPT.saturating_sub(bad.kept()) as i64).max(1);
    for (at, manager) in tx.staged_unknown_managers(room).await? {
        bad.push(RowError {
            reason: if at.ends_with(&format!("({manager})")) {
                "a subject cannot be their own direct manager".into()
            } else {
                format!("manager `{manager}` is no subject, in the file or known")
            },
            at,
        });
    }
    let known = Known {
        actor,
        now: &now,
        parent_of: &parent_of,
        posts: &post_codes,
    };
    let mut after = -1;
    loop {
        let page = tx.deferred_subjects(after, CHECK_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        let ids: Vec<&str> = page.iter().map(|s| s.row.id.as_str()).collect();
        let stored: HashMap<String, SubjectRow> = tx
            .subjects_of(&ids)
            .await?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        for s in &page {
            for reason in known.subject(&s.row, stored.get(&s.row.id)) {
                bad.push(RowError {
                    at: s.at.clone(),
                    reason,
                });
            }
        }
    }
    // Moves from a month: where each subject and unit was before is kept.
    if let Some(from) = &from {
        let room = (RowErrors::KEPT.saturating_sub(bad.kept()) as i64).max(1);
        match tx.record_subject_moves(from, &actor.name, room).await? {
            Ok(moved) => moved_from = moved,
            Err(later) => {
                for id in later {
                    bad.push(RowError {
                        at: format!("subject {id}"),
                        reason: format!(
                            "a move of `{id}` is recorded from a month after {from}: record moves in order"
                        ),
                    });
                }
            }
        }
        let moved: Vec<(String, Option<String>)> = units
            .iter()
            .filter_map(|(_, u)| {
                let before = stored_unit.get(u.code.as_str())?;
                (before.parent != u.parent).then(|| (u.code.clone(), before.parent.clone()))
            })
            .collect();
        tx.record_unit_moves(from, &actor.name, &moved).await?;
    }
    bad.check("organisation")?;

    // The subjects that exist and change, found by the database, audited
    // with their before and after.
    let mut changed = SubjectChanges {
        added: subjects - tx.staged_subjects_stored().await? as usize,
        ..SubjectChanges::default()
    };
    let mut after = -1;
    loop {
        let page = tx.staged_subject_changes(after, CHECK_PAGE).await?;
        let Some((last, _)) = page.last() else { break };
        after = last.seq;
        for (s, before) in &page {
            changed.note(&s.row, before);
        }
        while changed.pending.len() >= CHANGES_PER_ENTRY {
            changed.write(&mut tx, actor).await?;
        }
    }
    let checked = started.elapsed();

    let rows: Vec<&UnitRecord> = units.iter().map(|(_, u)| u).collect();
    let unit_rows: Vec<Vec<Cell>> = parents_first(&rows)
        .into_iter()
        .map(|u| {
            vec![
                u.code.as_str().into(),
                u.name.as_str().into(),
                Cell::Text(names::fold(&u.name)),
                u.kind.as_str().into(),
                u.parent.clone().into(),
                Cell::Int(i64::from(u.publishes_people)),
                Cell::Int(i64::from(u.grades_only)),
                Cell::Int(i64::from(u.within_agency)),
                crate::store::org::join_posts(&u.leader_posts).into(),
            ]
        })
        .collect();
    // Parents come first in the statement, so each row's parent is there
    // whenever the database checks it.
    tx.upsert_units(unit_rows).await?;
    let post_rows: Vec<Vec<Cell>> = posts
        .iter()
        .map(|(_, p)| {
            vec![
                p.code.as_str().into(),
                p.title.as_str().into(),
                p.task_group.as_str().into(),
                p.category.as_deref().into(),
            ]
        })
        .collect();
    tx.upsert_posts(post_rows).await?;
    let catalogued: Vec<&str> = posts
        .iter()
        .filter(|(_, p)| p.products.is_some())
        .map(|(_, p)| p.code.as_str())
        .collect();
    if !catalogued.is_empty() {
        let type_rows: Vec<Vec<Cell>> = posts
            .iter()
            .flat_map(|(_, p)| p.products.iter().flatten().map(move |t| (p, t)))
            .map(|(p, t)| {
                vec![
                    p.code.as_str().into(),
                    t.kind.as_str().into(),
                    t.title.as_str().into(),
                    t.unit.as_str().into(),
                    Cell::Int(t.coefficient().unwrap_or(0)),
                    t.basis.clone().into(),
                ]
            })
            .collect();
        tx.replace_product_types(&catalogued, type_rows).await?;
    }
    tx.upsert_staged_subjects().await?;

    // Assignments go in the same transaction, against the tree just written.
    let units_now = tx.units().await?;
    let tree = Tree::of(&units_now);
    let mut assigned = 0;
    let mut bad = RowErrors::default();
    for (i, a) in &assignments {
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
    while !changed.pending.is_empty() {
        changed.write(&mut tx, actor).await?;
    }
    let detail = serde_json::json!({
        "units": units.len(), "posts": posts.len(), "subjects": subjects,
        "assignments": assigned,
        "changed": unit_changes(&units, &stored_unit),
        "subjects_added": changed.added,
        "subjects_changed": changed.changed,
        "subject_change_entries": changed.entries,
    });
    Registry::audit(&mut tx, actor, "organisation", "import", detail).await?;
    tx.drop_staged_subjects().await?;
    tx.commit().await?;
    registry.changed();
    tracing::info!(
        subjects,
        read_and_staged_ms = read_and_staged.as_millis() as u64,
        checked_ms = (checked - read_and_staged).as_millis() as u64,
        written_ms = (started.elapsed() - checked).as_millis() as u64,
        "organisation import"
    );
    Ok(OrgImported {
        units: units.len(),
        posts: posts.len(),
        subjects,
        assignments: assigned,
        moved: moved_from as usize,
    })
}

/// What a subject of the document is checked against.
struct Known<'a> {
    actor: &'a Actor,
    /// The tree as stored.
    now: &'a HashMap<&'a str, Option<&'a str>>,
    /// The tree with the document's units in it.
    parent_of: &'a HashMap<&'a str, Option<&'a str>>,
    /// Posts stored and in the document.
    posts: &'a HashSet<&'a str>,
}

impl Known<'_> {
    /// Why a subject of the document may not be written, if it may not.
    fn subject(&self, s: &SubjectRow, before: Option<&SubjectRow>) -> Vec<String> {
        let actor = self.actor;
        let mut reasons = field_reasons(&s.id, s.months_worked, s.months_absent);
        if !self.parent_of.contains_key(s.unit.as_str()) {
            reasons.push(format!(
                "unit `{}` is neither in the file nor known",
                s.unit
            ));
        } else if !may_change_unit(actor, &s.unit, self.parent_of) {
            reasons.push(format!(
                "{} may not change subjects of `{}`",
                actor.name, s.unit
            ));
        }
        if let (Some(before), Role::UnitAdmin { unit: root }) = (before, &actor.role)
            && !within(&before.unit, root, self.now)
        {
            // Where they are is not the unit admin's to learn.
            reasons.push(format!(
                "`{}` is taken by a subject outside {}'s subtree `{root}`: moving or changing them takes an admin",
                s.id, actor.name
            ));
        }
        if !self.posts.contains(s.post.as_str()) {
            reasons.push(format!(
                "post `{}` is neither in the file nor known",
                s.post
            ));
        }
        reasons
    }
}

/// Why a subject's own fields are bad, if they are.
fn field_reasons(id: &str, months_worked: Option<i64>, months_absent: Option<i64>) -> Vec<String> {
    let mut reasons = Vec::new();
    if !code_ok(id) {
        reasons.push("a subject id must be non-empty, without spaces or commas".into());
    }
    for (what, v) in [
        ("months_worked", months_worked),
        ("months_absent", months_absent),
    ] {
        if v.is_some_and(|m| !(0..=12).contains(&m)) {
            reasons.push(format!("{what} must be 0 to 12"));
        }
    }
    reasons
}

/// The audit's account of the subjects an import changes: how many are new,
/// and the before and after of each one that existed and changed, written
/// [`CHANGES_PER_ENTRY`] to an audit entry so that a national document does
/// not make one entry of the whole country.
#[derive(Default)]
struct SubjectChanges {
    added: usize,
    changed: usize,
    entries: usize,
    pending: Vec<serde_json::Value>,
}

impl SubjectChanges {
    fn note(&mut self, s: &SubjectRow, before: &SubjectRow) {
        self.changed += 1;
        self.pending
            .push(serde_json::json!({"id": s.id, "before": before, "after": s}));
    }

    /// Writes the next entry: the first [`CHANGES_PER_ENTRY`] changes
    /// pending, or all of them when fewer.
    async fn write(&mut self, tx: &mut crate::store::Tx, actor: &Actor) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.entries += 1;
        let n = self.pending.len().min(CHANGES_PER_ENTRY);
        let chunk: Vec<serde_json::Value> = self.pending.drain(..n).collect();
        let detail = serde_json::json!({ "subjects": chunk });
        Registry::audit(
            tx,
            actor,
            "organisation",
            "import: subjects changed",
            detail,
        )
        .await?;
        Ok(())
    }
}

/// The audit's account of the units an import changes: how many are new,
/// and the before and after of each one that existed and changed.
fn unit_changes(
    units: &[(usize, UnitRecord)],
    stored_unit: &HashMap<&str, &UnitRow>,
) -> serde_json::Value {
    let mut units_added = 0;
    let mut changed = Vec::new();
    for (_, u) in units {
        match stored_unit.get(u.code.as_str()) {
            None => units_added += 1,
            Some(b)
                if b.name != u.name
                    || b.kind != u.kind
                    || b.parent != u.parent
                    || b.publishes_people != u.publishes_people
                    || b.grades_only != u.grades_only
                    || b.within_agency != u.within_agency =>
            {
                changed.push(serde_json::json!({"code": u.code, "before": b, "after": u}));
            }
            Some(_) => {}
        }
    }
    serde_json::json!({ "units_added": units_added, "units": changed })
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
            grades_only: false,
            within_agency: false,
            leader_posts: Vec::new(),
        }
    }

    #[test]
    fn codes_refuse_spaces_commas_and_control_characters() {
        assert!(code_ok("xa-0001") && code_ok("cc.1_a"));
        for bad in [
            "",
            "a b",
            "a,b",
            "a\u{1f}b",
            "a\u{1e}",
            "\u{7}",
            &"x".repeat(129),
        ] {
            assert!(!code_ok(bad), "{bad:?}");
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
        let refs: Vec<&UnitRecord> = units.iter().collect();
        let order: Vec<&str> = parents_first(&refs)
            .iter()
            .map(|u| u.code.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }
}
