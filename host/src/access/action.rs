//! What a route does that only some roles may, decided from the request's
//! headers alone: a route that takes a body names its action in its
//! signature (`Allowed<ImportFacts>`), so a caller without the role is
//! refused before a byte of the body is read. Scopes the body names (a
//! namespace, a subtree) are checked after, by the domain modules.

use std::marker::PhantomData;

use super::{Actor, Caller, RoleKind, SANDBOX_ROLES};

/// An action and the roles that may take it.
pub trait Action {
    /// What is attempted, as a refusal words it ("import facts").
    const WHAT: &'static str;
    /// The roles that may.
    const ROLES: &'static [RoleKind];
}

macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident: $what:literal => $roles:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl Action for $name {
            const WHAT: &'static str = $what;
            const ROLES: &'static [RoleKind] = $roles;
        }
    )*};
}

const ADMINS: &[RoleKind] = &[RoleKind::Admin, RoleKind::UnitAdmin];
const PUBLISHERS: &[RoleKind] = &[RoleKind::Admin, RoleKind::Publisher];
const ANY_TOKEN: &[RoleKind] = &RoleKind::ALL;
const ASSESSORS: &[RoleKind] = &[RoleKind::Admin, RoleKind::UnitAdmin, RoleKind::Assessor];
const PARTIES: &[RoleKind] = &[
    RoleKind::Admin,
    RoleKind::UnitAdmin,
    RoleKind::Assessor,
    RoleKind::Person,
];

actions! {
    /// Publish a plugin (in one's own namespace).
    PublishPlugins: "publish" => PUBLISHERS;
    /// Change units, posts and subjects (in one's own subtree).
    ChangeOrganisation: "change the organisation" => ADMINS;
    /// Assign a scorecard to posts (in one's own subtree).
    AssignScorecards: "assign scorecards" => ADMINS;
    /// Import facts (of one's own subtree).
    ImportFacts: "import facts" => ADMINS;
    /// Start a run (of one's own subtree).
    StartRuns: "start runs" => ADMINS;
    /// Exempt subjects from a period's evaluation (in one's own subtree).
    ExemptSubjects: "exempt subjects from evaluation" => ADMINS;
    /// Unlock a period (of one's own subtree).
    UnlockPeriods: "unlock periods" => ADMINS;
    /// Upload drafts and compare them.
    UseSandbox: "use the sandbox" => SANDBOX_ROLES;
    /// Set which facts of a scorecard version are personal.
    KeepPersonalFacts: "set which facts are personal" => &[RoleKind::Admin];
    /// List and revoke tokens.
    ManageTokens: "manage tokens" => &[RoleKind::Admin];
    /// Evaluate facts with a published plugin.
    Evaluate: "evaluate" => ANY_TOKEN;
    /// Issue one-time sign-in codes to people (of one's own subtree).
    IssueSignInCodes: "issue sign-in codes" => ADMINS;
    /// Set when the assessment steps are due (in one's own subtree).
    SetAssessmentCalendars: "set assessment calendars" => ADMINS;
    /// Set the appeal windows of the categories of posts.
    SetAppealWindows: "set appeal windows" => &[RoleKind::Admin];
    /// Set the calendar's holidays and substituted working days.
    SetCalendarDays: "set the calendar's holidays" => &[RoleKind::Admin];
    /// Read an assessment one is a party to.
    ReadAssessments: "read assessments" => PARTIES;
    /// Record one's own self-assessment.
    AssessSelf: "record a self-assessment" => &[RoleKind::Person];
    /// Record the collective's comments (in one's own subtree).
    RecordCollective: "record the collective's comments" => ASSESSORS;
    /// Record the direct manager's assessment (of one's own people).
    AssessAsManager: "record the direct manager's assessment" => PARTIES;
    /// List a unit's assessments (in one's own subtree).
    ListAssessments: "list a unit's assessments" => ASSESSORS;
    /// Decide grades from an official run (of one's own subtree).
    DecideGrades: "decide grades" => ADMINS;
    /// File an appeal, and add its evidence (one's own).
    FileAppeals: "appeal a result" => &[RoleKind::Person];
    /// See and choose among subjects tied at a quota's boundary (of one's
    /// own subtree).
    ChooseAmongTied: "choose among the tied" => ADMINS;
    /// Answer an appeal (of one's own subtree).
    AnswerAppeals: "answer appeals" => ADMINS;
    /// Set where notices are mailed (one's own, or of one's own subtree).
    SetContacts: "set where notices are mailed" => &[RoleKind::Admin, RoleKind::UnitAdmin, RoleKind::Person];
    /// Read notices of decisions (one's own, or of one's own subtree).
    ReadNotices: "read notices" => &[RoleKind::Admin, RoleKind::UnitAdmin, RoleKind::Person];
}

/// A caller whose role may take action `A`.
pub struct Allowed<A> {
    caller: Caller,
    action: PhantomData<A>,
}

impl<A: Action> Allowed<A> {
    /// `caller`, if its role may take `A`; otherwise why not.
    pub fn check(caller: Caller) -> Result<Allowed<A>, super::Denied> {
        caller.with_role(A::WHAT, A::ROLES)?;
        Ok(Allowed {
            caller,
            action: PhantomData,
        })
    }

    /// Who it is.
    pub fn actor(&self) -> &Actor {
        self.caller
            .0
            .as_ref()
            .expect("an allowed caller has a token")
    }
}
