//! Plan, apply and destroy every module in deployment order with a real Terraform core.

pub mod changes;
