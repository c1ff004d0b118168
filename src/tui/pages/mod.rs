//! One module per page.

pub mod form;
pub mod home;
pub mod integration;
pub mod review;
pub mod wizard;
