//! thuocdo-host: the central host that runs scorecard plugins, compiled to
//! WebAssembly components, in a sandbox, and scores every unit and person with
//! the scorecard assigned to their post.
//!
//! ```no_run
//! use thuocdo_host::{bundled, runtime::Runtime};
//!
//! let runtime = Runtime::new()?;
//! let plugin = runtime.load(bundled::BUNDLED[0].wasm)?;
//! println!("{} {}", plugin.info.name, plugin.info.version);
//! # Ok::<(), thuocdo_host::runtime::Error>(())
//! ```

pub mod access;
pub mod api;
pub mod app;
pub mod assessment;
pub mod bundled;
pub mod cli;
pub mod config;
pub mod explain;
pub mod facts;
pub mod gendata;
pub mod input;
pub mod mail;
pub mod org;
pub mod products;
pub mod registry;
pub mod runtime;
pub mod scoring;
pub mod store;
pub mod view;
pub mod web;
pub mod whatif;
