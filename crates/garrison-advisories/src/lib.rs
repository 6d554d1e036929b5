//! OSV advisories: model, database, matching.
