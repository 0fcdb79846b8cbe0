"""The pages: one folder per domain, each with its blueprint and its HTML forms, on top of the
domains. A page may call any domain; no domain imports a page (the import-linter layers)."""
