"""Platform adapters: each translates between one platform and the core, nothing more."""
