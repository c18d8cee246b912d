//! The `thuocdo` binary, run as people and scripts run it.

mod api;
mod app;
mod assessment;
mod browser;
mod bundled;
mod cli;
mod client;
mod crash;
mod read;
mod roles;
mod sandbox;
mod server;
mod structure;
mod support;
mod web;
