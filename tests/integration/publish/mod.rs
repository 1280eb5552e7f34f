//! `bankgen docs`, `bankgen ci github`, `bankgen report compliance`.

mod ci;
mod docs;
