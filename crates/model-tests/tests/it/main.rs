//! The model crates' golden tests, one binary (one link) for all.

mod contactcenterai;
mod customerprofile;
mod dianjin;
mod examples;
mod retailbot;
