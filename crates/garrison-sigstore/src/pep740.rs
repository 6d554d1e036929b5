//! PEP 740 attestations (PyPI): not yet.
