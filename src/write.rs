//! Write (to come).
