"""Interview Workspace without a UI: domain types and services. Never imports streamlit."""
