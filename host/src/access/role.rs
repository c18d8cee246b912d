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
        }
    }

    /// A role from its name and scope, as tokens store them and the command
    /// line gives them: a unit admin needs its unit, a publisher its namespace.
    pub fn from_parts(
        name: &str,
        unit: Option<&str>,
        namespace: Option<&str>,
    ) -> Result<Role, String> {
        let kind: RoleKind = name.parse()?;
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
        })
    }

    /// The role's name and scope as stored: (name, unit, namespace).
    pub fn parts(&self) -> (RoleKind, Option<&str>, Option<&str>) {
        match self {
            Role::UnitAdmin { unit } => (RoleKind::UnitAdmin, Some(unit), None),
            Role::Publisher { namespace } => (RoleKind::Publisher, None, Some(namespace)),
            Role::Analyst { unit } => (RoleKind::Analyst, unit.as_deref(), None),
            other => (other.kind(), None, None),
        }
    }
}

/// The five kinds of role, as a route names those it admits.
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
}

impl RoleKind {
    /// Every kind, in the order the command line lists them.
    pub const ALL: [RoleKind; 5] = [
        RoleKind::Admin,
        RoleKind::UnitAdmin,
        RoleKind::Publisher,
        RoleKind::Analyst,
        RoleKind::Viewer,
    ];

    /// The name tokens are created with.
    pub fn name(self) -> &'static str {
        match self {
            RoleKind::Admin => "admin",
            RoleKind::UnitAdmin => "unit-admin",
            RoleKind::Publisher => "publisher",
            RoleKind::Analyst => "analyst",
            RoleKind::Viewer => "viewer",
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
                format!("`{s}` is not a role: admin, unit-admin, publisher, analyst or viewer")
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

    /// A unit administrator for the subtree rooted at `unit`.
    pub fn unit_admin(name: &str, unit: &str) -> Actor {
        Actor {
            name: name.into(),
            role: Role::UnitAdmin { unit: unit.into() },
        }
    }
}
