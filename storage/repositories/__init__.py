"""SQLAlchemy repositories, one module per feature (as in core/), all built on base.SqlRepository."""
