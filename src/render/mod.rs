//! Catalogue → Terraform: one root module per catalogue module per environment.
