"""The pupil register: one per school, kept by its DSLs, importable from a school MIS export."""
