//! garrison-posture
