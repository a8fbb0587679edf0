"""Shared test support: real git repositories, a local model server, LSP client settings."""
