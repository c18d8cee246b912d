//! Who takes part in whose assessment. A servant records their own
//! self-assessment and reads their own assessment; the collective's
//! comments are recorded by the assessors and admins of the subtree; the
//! direct manager's assessment by the assessors and admins of the subtree,
//! or by the person the organisation records as the subject's direct
//! manager, signed in as themself. Unit admins (and admins) issue sign-in
//! codes, set calendars and read the lists of their subtree.

use super::{Actor, Role};
use crate::scoring::Units;
use crate::store::org::SubjectRow;

/// A step of the procedure that someone records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// The servant assesses themself.
    SelfAssessment,
    /// The collective where they work comments.
    Collective,
    /// The direct manager assesses.
    DirectManager,
}

impl Step {
    /// The three, in the procedure's order.
    pub const ALL: [Step; 3] = [Step::SelfAssessment, Step::Collective, Step::DirectManager];

    /// As the contract and the API name it.
    pub fn name(self) -> &'static str {
        match self {
            Step::SelfAssessment => "self-assessment",
            Step::Collective => "collective",
            Step::DirectManager => "direct-manager",
        }
    }

    /// From its name.
    pub fn parse(name: &str) -> Result<Step, String> {
        Step::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                format!("`{name}` is not a step: self-assessment, collective or direct-manager")
            })
    }
}

/// How a caller stands to one subject's assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// May read it and record the steps listed by [`may_record`].
    Party,
    /// Scoped to people, but not this one: told it is not found, as of
    /// someone who does not exist.
    OutOfReach,
    /// Has no part in assessments at all.
    NoPart,
}

fn within(actor: &Actor, units: &Units, unit: &str) -> bool {
    match &actor.role {
        Role::Admin => true,
        Role::UnitAdmin { unit: root } | Role::Assessor { unit: root } => units.within(unit, root),
        _ => false,
    }
}

/// How `actor` stands to `subject`'s assessment.
pub fn standing(actor: &Actor, units: &Units, subject: &SubjectRow) -> Standing {
    match &actor.role {
        Role::Admin | Role::UnitAdmin { .. } | Role::Assessor { .. } => {
            if within(actor, units, &subject.unit) {
                Standing::Party
            } else {
                Standing::OutOfReach
            }
        }
        Role::Person { subject: me } => {
            if *me == subject.id || subject.manager.as_deref() == Some(me) {
                Standing::Party
            } else {
                Standing::OutOfReach
            }
        }
        _ => Standing::NoPart,
    }
}

/// Whether `actor`, a party to `subject`'s assessment, may record `step`;
/// the reason when not.
pub fn may_record(
    actor: &Actor,
    units: &Units,
    subject: &SubjectRow,
    step: Step,
) -> Result<(), String> {
    let ok = match (&actor.role, step) {
        (Role::Person { subject: me }, Step::SelfAssessment) => *me == subject.id,
        (Role::Person { subject: me }, Step::DirectManager) => {
            subject.manager.as_deref() == Some(me.as_str())
        }
        (Role::Person { .. }, Step::Collective) => false,
        (_, Step::SelfAssessment) => false,
        _ => within(actor, units, &subject.unit),
    };
    if ok {
        return Ok(());
    }
    Err(match step {
        Step::SelfAssessment => format!(
            "only {} themself records their self-assessment, signed in as a person",
            subject.id
        ),
        Step::Collective => format!(
            "{} may not record the collective's comments on {}: that takes an assessor or an admin of their subtree",
            actor.name, subject.id
        ),
        Step::DirectManager => format!(
            "{} may not record the direct manager's assessment of {}: that takes their direct manager, an assessor or an admin of their subtree",
            actor.name, subject.id
        ),
    })
}

/// Whether `actor` may read the assessments of `unit`'s people (the
/// admins and assessors of a subtree holding it).
pub fn may_list(actor: &Actor, units: &Units, unit: &str) -> bool {
    within(actor, units, unit)
}

/// Whether `actor` may run the procedure's administration for `unit`:
/// issue sign-in codes to its people, set its calendars (admins, and unit
/// admins of a subtree holding it).
pub fn may_administer(actor: &Actor, units: &Units, unit: &str) -> bool {
    matches!(actor.role, Role::Admin | Role::UnitAdmin { .. }) && within(actor, units, unit)
}
