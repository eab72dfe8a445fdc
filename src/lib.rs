//! Frontdesk: a front-desk kiosk that greets known visitors by face and enrols new ones, entirely on
//! the local CPU.
//!
//! The library holds the engine (detection, alignment, embedding), the gallery (SQLite + index), the
//! frame sources, the recognition loop and the kiosk UI; the binary adds the command line.

pub mod api;
pub mod atomic_file;
pub mod attendance;
pub mod backup;
pub mod batch;
pub mod camera;
pub mod config;
pub mod engine;
pub mod enrollment;
pub mod export;
pub mod fleet;
pub mod gallery;
pub mod host;
pub mod import;
pub mod integrations;
pub mod models;
pub mod mqtt;
pub mod recognizer;
pub mod report;
pub mod resources;
pub mod runtime;
pub mod secrets;
pub mod staff_service;
pub mod track_event;
pub mod ui;
pub mod vision;
pub mod webhooks;
