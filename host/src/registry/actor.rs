//! Who acts, and what their role lets them do.

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
    /// Policy analysts: the sandbox only.
    Analyst,
    /// Reads what is public.
    Viewer,
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

    /// A unit administrator for the subtree rooted at `unit`.
    pub fn unit_admin(name: &str, unit: &str) -> Actor {
        Actor {
            name: name.into(),
            role: Role::UnitAdmin { unit: unit.into() },
        }
    }
}
