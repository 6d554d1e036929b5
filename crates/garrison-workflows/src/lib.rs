//! garrison-workflows
