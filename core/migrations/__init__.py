"""Alembic's migrations of the schema (run by core/migrate.py)."""
