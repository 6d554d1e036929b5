//! garrison-yaml
