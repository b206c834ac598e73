"""Azure checks: Entra ID, RBAC, storage, SQL, compute, Key Vault, databases, App Service, Monitor,
network, Defender for Cloud, Log Analytics and Azure Backup."""
