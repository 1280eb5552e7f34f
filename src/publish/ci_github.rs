//! `bankgen ci github`: a GitHub Actions workflow with one job per module in deployment order.
