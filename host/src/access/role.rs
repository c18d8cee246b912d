//! Who acts, and what their role lets them do.

use std::fmt;

/// A role, as tokens carry them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// The central host's administrators: everything.
    Admin,
    /// Administers a subtree of units: assigns, imports, runs there.
    UnitAdmin {
        /// The root of the subtree.
        unit: String,
    },
    /// An agency's publisher: publishes and yanks in one namespace.
    Publisher {
        /// The namespace.
        namespace: String,
    },
    /// Policy analysts: the sandbox. Bound to a unit subtree, they compare
    /// within it and see its people's results (never their facts); unbound,
    /// they see per-person results only where a unit publishes them.
    Analyst {
        /// The root of the subtree, if bound to one.
        unit: Option<String>,
    },
    /// Reads what is public.
    Viewer,
    /// One servant, signed in with a code their unit admin issued: sees
    /// their own results and facts and records their self-assessment.
    Person {
        /// The subject they are.
        subject: String,
    },
    /// Records the collective's comments and the direct manager's
    /// assessment for the people of a unit subtree.
    Assessor {
        /// The root of the subtree.
        unit: String,
    },
}

impl Role {
    /// The kind of role, without its scope.
    pub fn kind(&self) -> RoleKind {
        match self {
            Role::Admin => RoleKind::Admin,
            Role::UnitAdmin { .. } => RoleKind::UnitAdmin,
            Role::Publisher { .. } => RoleKind::Publisher,
            Role::Analyst { .. } => RoleKind::Analyst,
            Role::Viewer => RoleKind::Viewer,
            Role::Person { .. } => RoleKind::Person,
            Role::Assessor { .. } => RoleKind::Assessor,
        }
    }

    /// A role from its name and scope, as tokens store them and the command
    /// line gives them: a unit admin and an assessor need their unit, a
    /// publisher its namespace, a person their subject.
    pub fn from_parts(scope: &RoleParts<'_>) -> Result<Role, String> {
        let RoleParts {
            kind: _,
            unit,
            namespace,
            subject,
        } = *scope;
        let name = scope.kind.name();
        let kind = scope.kind;
        let need = |what: &str, v: Option<&str>| {
            v.map(str::to_string)
                .ok_or_else(|| format!("a {name} token needs --{what}"))
        };
        Ok(match kind {
            RoleKind::Admin => Role::Admin,
            RoleKind::UnitAdmin => Role::UnitAdmin {
                unit: need("unit", unit)?,
            },
            RoleKind::Publisher => Role::Publisher {
                namespace: need("namespace", namespace)?,
            },
            RoleKind::Analyst => Role::Analyst {
                unit: unit.map(str::to_string),
            },
            RoleKind::Viewer => Role::Viewer,
            RoleKind::Person => Role::Person {
                subject: need("subject", subject)?,
            },
            RoleKind::Assessor => Role::Assessor {
                unit: need("unit", unit)?,
            },
        })
    }

    /// The role's name and scope as stored.
    pub fn parts(&self) -> RoleParts<'_> {
        let mut parts = RoleParts::of(self.kind());
        match self {
            Role::UnitAdmin { unit } | Role::Assessor { unit } => parts.unit = Some(unit),
            Role::Publisher { namespace } => parts.namespace = Some(namespace),
            Role::Analyst { unit } => parts.unit = unit.as_deref(),
            Role::Person { subject } => parts.subject = Some(subject),
            Role::Admin | Role::Viewer => {}
        }
        parts
    }
}

/// A role's kind and scope as tokens store them: the unit of a unit admin,
/// an assessor or a bound analyst, a publisher's namespace, a person's subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleParts<'a> {
    /// The kind.
    pub kind: RoleKind,
    /// The root of a unit subtree.
    pub unit: Option<&'a str>,
    /// A publisher's namespace.
    pub namespace: Option<&'a str>,
    /// A person's subject.
    pub subject: Option<&'a str>,
}

impl<'a> RoleParts<'a> {
    /// A kind without a scope yet.
    pub fn of(kind: RoleKind) -> RoleParts<'a> {
        RoleParts {
            kind,
            unit: None,
            namespace: None,
            subject: None,
        }
    }
}

/// The kinds of role, as a route names those it admits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoleKind {
    /// `admin`.
    Admin,
    /// `unit-admin`.
    UnitAdmin,
    /// `publisher`.
    Publisher,
    /// `analyst`.
    Analyst,
    /// `viewer`.
    Viewer,
    /// `person`.
    Person,
    /// `assessor`.
    Assessor,
}

impl RoleKind {
    /// Every kind, in the order the command line lists them.
    pub const ALL: [RoleKind; 7] = [
        RoleKind::Admin,
        RoleKind::UnitAdmin,
        RoleKind::Publisher,
        RoleKind::Analyst,
        RoleKind::Viewer,
        RoleKind::Person,
        RoleKind::Assessor,
    ];

    /// The name tokens are created with.
    pub fn name(self) -> &'static str {
        match self {
            RoleKind::Admin => "admin",
            RoleKind::UnitAdmin => "unit-admin",
            RoleKind::Publisher => "publisher",
            RoleKind::Analyst => "analyst",
            RoleKind::Viewer => "viewer",
            RoleKind::Person => "person",
            RoleKind::Assessor => "assessor",
        }
    }
}

impl fmt::Display for RoleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for RoleKind {
    type Err = String;

    fn from_str(s: &str) -> Result<RoleKind, String> {
        RoleKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                format!(
                    "`{s}` is not a role: admin, unit-admin, publisher, analyst, viewer, person or assessor"
                )
            })
    }
}

/// Someone acting on the registry; recorded in the audit log by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// Who, as the audit log names them.
    pub name: String,
    /// What they may do.
    pub role: Role,
}

impl Actor {
    /// An administrator.
    pub fn admin(name: &str) -> Actor {
        Actor {
            name: name.into(),
            role: Role::Admin,
        }
    }

    /// A publisher for `namespace`.
    pub fn publisher(name: &str, namespace: &str) -> Actor {
        Actor {
            name: name.into(),
            role: Role::Publisher {
                namespace: namespace.into(),
            },
        }
    }

    /// An analyst, bound to the subtree rooted at `unit` if one is given.
    pub fn analyst(name: &str, unit: Option<&str>) -> Actor {
        Actor {
            name: name.into(),
            role: Role::Analyst {
                unit: unit.map(str::to_string),
            },
        }
    }

    /// A servant acting for themself.
    pub fn person(name: &str, subject: &str) -> Actor {
        Actor {
            name: name.into(),
            role: Role::Person {
                subject: subject.into(),
            },
        }
    }

    /// An assessor for the subtree rooted at `unit`.
    pub fn assessor(name: &str, unit: &str) -> Actor {
        Actor {
            name: name.into(),
            role: Role::Assessor { unit: unit.into() },
        }
    }

    /// A unit administrator for the subtree rooted at `unit`.
    pub fn unit_admin(name: &str, unit: &str) -> Actor {
        Actor {
            name: name.into(),
            role: Role::UnitAdmin { unit: unit.into() },
        }
    }
}
