//! One test binary for the workspace (one link), with a module per concern.

mod assessment;
mod compat;
mod corrections;
mod db;
mod history;
mod leaders;
mod plugins;
mod registry;
mod runtime;
mod sandbox;
mod scoring;
mod support;
