//! `bankgen docs`, `bankgen ci github`, `bankgen report compliance`.

mod ci;
mod compliance;
mod docs;
