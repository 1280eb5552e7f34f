//! `bankgen report compliance`: where each bank policy the catalogue cites is enforced.
