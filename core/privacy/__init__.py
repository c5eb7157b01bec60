"""Privacy: what is kept and for how long (retention), and a person's data exported or erased on request."""
