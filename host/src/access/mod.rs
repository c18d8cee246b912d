//! Who may do and see what, decided here and nowhere else: roles, the caller
//! a token names, tokens themselves, and the policy that says what a caller
//! sees of a result. The API, the dashboard and the command line all ask
//! this module; none decides on its own.
//!
//! ```
//! use thuocdo_host::access::{Actor, Caller, RoleKind};
//!
//! let caller = Caller(Some(Actor::publisher("agency", "thue")));
//! assert!(caller.with_role("publish", &[RoleKind::Admin, RoleKind::Publisher]).is_ok());
//! let refused = caller.with_role("start runs", &[RoleKind::Admin]).unwrap_err();
//! assert_eq!(refused.to_string(), "agency (publisher) may not start runs: that takes admin");
//! assert!(Caller::PUBLIC.actor().is_err());
//! ```

mod action;
pub mod assessing;
mod caller;
pub mod keyring;
mod policy;
mod role;
pub mod sessions;
pub mod tokens;

pub use action::{
    Action, Allowed, AnswerAppeals, AssessAsManager, AssessSelf, AssignScorecards,
    ChangeOrganisation, ChooseAmongTied, DecideGrades, Evaluate, ExemptSubjects, FileAppeals,
    ImportFacts, IssueSignInCodes, KeepPersonalFacts, ListAssessments, ManageTokens,
    PublishPlugins, ReadAssessments, ReadNotices, RecordCollective, SetAppealWindows,
    SetAssessmentCalendars, SetCalendarDays, SetContacts, StartRuns, UnlockPeriods, UseSandbox,
};
pub use caller::{Caller, TOKEN_TTL, TokenCache};
pub use policy::{
    Publishing, VisiblePage, audit_scope, comparison_units, result_scope, sees_history_in,
    visible_comparison, visible_fault, visible_parts, visible_results, visible_results_after,
    visible_results_from, visible_results_page, visible_run, visible_run_results, visible_summary,
};
pub use role::{Actor, Role, RoleKind, RoleParts};

/// Why a caller may not do what they asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The public asked for what needs a token.
    #[error("this needs a bearer token")]
    NoToken,
    /// The Authorization header is not `Bearer <token>`.
    #[error("the Authorization header must be `Bearer <token>`")]
    BadHeader,
    /// The token is not a live one (unknown or revoked).
    #[error("the token is not a live thuocdo token")]
    NotLive,
    /// The caller's role does not admit it.
    #[error("{who} ({role}) may not {what}: that takes {}", names(needs))]
    Role {
        /// Who asked, as the audit log names them.
        who: String,
        /// Their role.
        role: RoleKind,
        /// What they asked to do.
        what: String,
        /// The roles that may.
        needs: Vec<RoleKind>,
    },
}

fn names(kinds: &[RoleKind]) -> String {
    kinds
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Who works in the policy sandbox (drafts and what-ifs).
pub const SANDBOX_ROLES: &[RoleKind] = &[RoleKind::Admin, RoleKind::Analyst];
