"""Resource Manager (cloudresourcemanager.googleapis.com): the consumer project, and the caller's permission on it."""
