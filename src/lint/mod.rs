//! Policy checks on the catalogue and on any Terraform, rendered or hand-written.
