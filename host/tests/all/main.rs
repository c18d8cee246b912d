//! The `thuocdo` binary, run as people and scripts run it.

mod api;
mod browser;
mod cli;
mod client;
mod roles;
mod sandbox;
mod web;
