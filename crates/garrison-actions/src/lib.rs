//! garrison-actions
