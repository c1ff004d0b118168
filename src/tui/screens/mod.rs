//! The screens: one at a time, each its own module with its state, its
//! update and its drawing.

pub mod channels;
pub mod delivery;
pub mod home;
pub mod integration;
pub mod wizard;
